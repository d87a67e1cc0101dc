package org.jegress.sinks.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.StreamUrl;
import org.jegress.api.stream.StreamHealth;
import org.jegress.pipeline.gst.EosWatch;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.StreamDestinations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream output: the encoded streams muxed once ({@code flvmux} for RTMP, {@code mpegtsmux} for SRT) into a tee,
 * and one {@link StreamDestination} per URL behind it, added and removed while playing ({@code UpdateStream}). A
 * destination that fails is dropped alone; RTMP destinations are reconnected by {@link StreamHealth}'s rules and
 * watched for a wedged receiver. The output itself keeps running with no destination at all (they may be added
 * again); the egress decides when the last one is gone.
 */
final class StreamSink implements OutputSink, StreamDestinations {

    private static final Logger LOG = LoggerFactory.getLogger(StreamSink.class);

    private final OutputType type;
    private final OutputContext context;
    private final Bin bin;
    private final Element tee;
    private final EosWatch muxEos;
    private final Map<String, StreamDestination> destinations = new ConcurrentHashMap<>();
    private final ExecutorService control;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<StreamUrl> initial;
    private volatile boolean ending;

    StreamSink(OutputType type, List<StreamUrl> urls, OutputContext context) {
        GstRuntime.ensureInitialized();
        this.type = type;
        this.context = context;
        this.initial = List.copyOf(urls);
        StringBuilder d = new StringBuilder();
        if (type == OutputType.RTMP) {
            // streamable: no seeking back to write headers; the codec headers go with every (re)connection
            d.append("flvmux name=mux streamable=true skip-backwards-streams=true");
        } else {
            d.append("mpegtsmux name=mux alignment=7");
        }
        d.append(" ! tee name=destinations allow-not-linked=true");
        String queue = "queue max-size-buffers=0 max-size-bytes=0 max-size-time=3000000000";
        if (context.video().enabled()) {
            d.append(' ').append(queue).append(" name=video_in ! h264parse ! mux.");
        }
        if (context.audio().enabled()) {
            d.append(' ').append(queue).append(" name=audio_in ! aacparse ! mux.");
        }
        bin = Gst.parseBinFromDescription(d.toString(), false);
        bin.setName(type == OutputType.RTMP ? "rtmp_stream" : "srt_stream");
        if (context.video().enabled()) {
            bin.addPad(new GhostPad(MediaPads.VIDEO, bin.getElementByName("video_in").getStaticPad("sink")));
        }
        if (context.audio().enabled()) {
            bin.addPad(new GhostPad(MediaPads.AUDIO, bin.getElementByName("audio_in").getStaticPad("sink")));
        }
        tee = bin.getElementByName("destinations");
        muxEos = EosWatch.on(tee.getStaticPad("sink"));
        control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stream-" + context.egressId());
            t.setDaemon(true);
            return t;
        });
        for (StreamUrl u : urls) {
            StreamDestination dest = newDestination(u);
            destinations.put(u.url(), dest);
            dest.link(false);
        }
    }

    private StreamDestination newDestination(StreamUrl url) {
        return new StreamDestination(type, url, "dest" + counter.getAndIncrement(), bin, tee, context, control,
                this::destinationFailed);
    }

    @Override
    public Bin bin() {
        return bin;
    }

    /** The mux reached EOS and every destination still sending got it (or gave up). */
    @Override
    public CompletableFuture<Void> finished() {
        // asked when the recording stops: from now on a failing destination is not reconnected
        ending = true;
        return muxEos.eos().thenCompose(v -> CompletableFuture.allOf(destinations.values().stream()
                .map(StreamDestination::finished).toArray(CompletableFuture[]::new)));
    }

    @Override
    public ErrorOutcome error(GstObject source, String message) {
        for (StreamDestination d : destinations.values()) {
            if (d.owns(source)) {
                control.execute(() -> d.error(message, ending));
                return ErrorOutcome.HANDLED;
            }
        }
        // the mux itself failed: nothing can be sent anywhere
        return ErrorOutcome.FAILED;
    }

    private void destinationFailed(StreamDestination d, String error) {
        if (destinations.remove(d.url().url(), d)) {
            context.results().streamFailed(d.url().redacted(), error);
            context.listener().destinationFailed(d.url(), error);
        }
    }

    // ------------------------------------------------------------------------------------------- UpdateStream

    @Override
    public void add(StreamUrl url) {
        StreamDestination d = newDestination(url);
        if (destinations.putIfAbsent(url.url(), d) != null) {
            return;
        }
        control.execute(() -> d.link(true));
    }

    @Override
    public void remove(StreamUrl url) {
        StreamDestination d = destinations.remove(url.url());
        if (d != null) {
            control.execute(d::finish);
        }
    }

    @Override
    public List<StreamUrl> active() {
        return new ArrayList<>(destinations.values().stream().map(StreamDestination::url).toList());
    }

    /** The URLs the output started with (for tests and logs). */
    List<StreamUrl> initial() {
        return initial;
    }

    @Override
    public void finish() {
        ending = true;
    }

    @Override
    public void close() {
        ending = true;
        destinations.values().forEach(StreamDestination::stopMonitoring);
        control.shutdown();
        try {
            if (!control.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.debug("{}: stream control still busy at close", context.egressId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
