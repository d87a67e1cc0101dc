package org.jegress.examples;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.StreamUrl;
import org.jegress.pipeline.gst.EosWatch;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;

/**
 * A custom output: {@code tsoverTCP://host:port} stream URLs get the egress's encoded audio and video as MPEG-TS
 * over a plain TCP connection (a monitoring tool, a legacy encoder, an in-house recorder...). It shows the sink SPI:
 * claim a scheme, take the encoded streams on the {@code video}/{@code audio} pads, report the StreamInfo, fail
 * alone.
 *
 * <pre>{@code
 * EgressOptions options = EgressOptions.defaults().withOutputSinkProvider(new TcpStreamSink.Provider());
 * Egress.start(WebEgressRequest.newBuilder().setUrl("https://example.com")
 *         .addStreamOutputs(StreamOutput.newBuilder().addUrls("tsovertcp://127.0.0.1:9000"))
 *         .build(), options);
 * }</pre>
 *
 * One URL per output here, to stay short; a sink taking several would implement {@code StreamDestinations} for
 * UpdateStream, as the RTMP sink does.
 */
public final class TcpStreamSink implements OutputSink {

    /** The scheme this sink claims. */
    public static final String SCHEME = "tsovertcp";

    private final StreamUrl url;
    private final OutputContext context;
    private final Bin bin;
    private final EosWatch eos;
    private final CompletableFuture<Void> failed = new CompletableFuture<>();

    TcpStreamSink(StreamUrl url, OutputContext context) {
        this.url = url;
        this.context = context;
        URI u = URI.create(url.url());
        StringBuilder d = new StringBuilder("mpegtsmux name=mux ! tcpclientsink name=tcp sync=false async=false host=")
                .append(u.getHost()).append(" port=").append(u.getPort());
        if (context.video().enabled()) {
            d.append(" queue name=video_in ! h264parse ! mux.");
        }
        if (context.audio().enabled()) {
            d.append(" queue name=audio_in ! aacparse ! mux.");
        }
        bin = Gst.parseBinFromDescription(d.toString(), false);
        bin.setName("tsovertcp");
        if (context.video().enabled()) {
            bin.addPad(new GhostPad(MediaPads.VIDEO, bin.getElementByName("video_in").getStaticPad("sink")));
        }
        if (context.audio().enabled()) {
            bin.addPad(new GhostPad(MediaPads.AUDIO, bin.getElementByName("audio_in").getStaticPad("sink")));
        }
        eos = EosWatch.on(bin.getElementByName("tcp").getStaticPad("sink"));
    }

    @Override
    public Bin bin() {
        return bin;
    }

    @Override
    public CompletableFuture<Void> finished() {
        return CompletableFuture.anyOf(eos.eos(), failed).thenApply(v -> null);
    }

    /**
     * The connection failed (or broke): the output is dropped and its URL reported FAILED with the message; the
     * egress goes on with its other outputs, or fails if this was the last one.
     */
    @Override
    public ErrorOutcome error(GstObject source, String message) {
        failed.complete(null);
        return ErrorOutcome.FAILED;
    }

    /** The URL this output sends to. */
    public StreamUrl url() {
        return url;
    }

    /** Where the output reports (for subclasses adding their own results). */
    OutputContext context() {
        return context;
    }

    /** Registered through {@code EgressOptions.withOutputSinkProvider}, or ServiceLoader. */
    public static final class Provider implements OutputSinkProvider {

        @Override
        public Set<String> streamSchemes() {
            return Set.of(SCHEME);
        }

        @Override
        public boolean supports(OutputTarget target) {
            return target instanceof OutputTarget.Stream s && s.type() == OutputType.CUSTOM
                    && s.scheme().equals(SCHEME);
        }

        @Override
        public OutputSink create(OutputTarget target, OutputContext context) {
            List<StreamUrl> urls = ((OutputTarget.Stream) target).plan().urls();
            if (urls.size() != 1) {
                throw new IllegalArgumentException("one " + SCHEME + " URL per output");
            }
            return new TcpStreamSink(urls.get(0), context);
        }
    }
}
