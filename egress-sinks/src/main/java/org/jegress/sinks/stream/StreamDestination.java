package org.jegress.sinks.stream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.event.EOSEvent;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.StreamUrl;
import org.jegress.api.stream.StreamHealth;
import org.jegress.api.time.Scheduler;
import org.jegress.pipeline.gst.EosWatch;
import org.jegress.pipeline.gst.GstDescription;
import org.jegress.pipeline.gst.GstNatives;
import org.jegress.pipeline.gst.TeeLink;
import org.jegress.pipeline.spi.OutputContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One URL of a stream output: a branch {@code queue ! errorignore ! rtmp2sink|srtsink} behind the output's tee. The
 * queue is leaky, so a receiver that stops reading never holds up the tee and with it every other output; the
 * {@code errorignore} keeps a failed sink from returning its error into the tee. RTMP branches are replaced by a
 * fresh one to reconnect (the new branch gets the stream headers again and asks the encoder for a key frame), are
 * reported started once media really flows, and are polled for progress. Every change runs on the stream output's
 * control thread.
 */
final class StreamDestination {

    private static final Logger LOG = LoggerFactory.getLogger(StreamDestination.class);

    /** How often a connecting RTMP destination is checked for media actually flowing. */
    static final Duration START_POLL = Duration.ofMillis(250);
    private static final long UNLINK_TIMEOUT_MS = 2_000;
    static final Duration RECONNECT_PAUSE = Duration.ofMillis(250);
    private static final long EOS_TIMEOUT_MS = 5_000;

    private final OutputType type;
    private final StreamUrl url;
    private final String name;
    private final Bin parent;
    private final Element tee;
    private final OutputContext context;
    private final Executor control;
    private final BiConsumer<StreamDestination, String> failed;
    private final StreamHealth health;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private Bin branch;
    private TeeLink link;
    private EosWatch eos;
    private int generation;
    private volatile boolean started;
    /** When the first branch was linked: what the receiver gets starts then (or with the recording). */
    private volatile long linkedAt;
    private volatile boolean gone;
    private Scheduler.Task startPoll;
    private Scheduler.Task livenessPoll;

    StreamDestination(OutputType type, StreamUrl url, String name, Bin parent, Element tee, OutputContext context,
            Executor control, BiConsumer<StreamDestination, String> failed) {
        this.type = type;
        this.url = url;
        this.name = name;
        this.parent = parent;
        this.tee = tee;
        this.context = context;
        this.control = control;
        this.failed = failed;
        this.health = new StreamHealth(context.scheduler().clock());
    }

    StreamUrl url() {
        return url;
    }

    /** Completes once EOS reached this destination's sink, or when it was removed or failed. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    /** Whether {@code element} belongs to this destination's current branch. */
    synchronized boolean owns(GstObject element) {
        for (GstObject o = element; o != null; o = o.getParent()) {
            if (branch != null && branch.equals(o)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Builds the branch and links it to the tee.
     *
     * @param keyframe ask the encoder for a key frame (a destination joining a running stream)
     */
    synchronized void link(boolean keyframe) {
        String sink;
        if (type == OutputType.RTMP) {
            // async-connect=false: connect on the first buffer, in the branch's own thread, not in a state change
            sink = "rtmp2sink name=" + name + "_sink async-connect=false sync=false async=false location="
                    + GstDescription.quote(url.url());
        } else {
            sink = "srtsink name=" + name + "_sink wait-for-connection=false sync=false async=false uri="
                    + GstDescription.quote(url.url());
        }
        branch = Gst.parseBinFromDescription("queue name=" + name + "_queue leaky=downstream max-size-buffers=0"
                + " max-size-bytes=0 max-size-time=3000000000 ! errorignore ignore-error=true convert-to=ok ! "
                + sink, true);
        branch.setName(name + "_" + generation++);
        parent.add(branch);
        eos = EosWatch.on(branch.getElementByName(name + "_sink").getStaticPad("sink"));
        eos.eos().thenRun(() -> finished.complete(null));
        branch.syncStateWithParent();
        link = TeeLink.link(tee, branch.getStaticPad("sink"));
        if (linkedAt == 0) {
            linkedAt = context.results().nowNs();
        }
        if (keyframe) {
            link.teePad().sendEvent(GstNatives.forceKeyUnitUpstream());
        }
        if (type == OutputType.RTMP) {
            monitor();
        }
        LOG.debug("{}: {} linked ({})", context.egressId(), url.redacted(), branch.getName());
    }

    /** Polls the RTMP sink: first for the start (media flowing), then every 5 s for progress. */
    private void monitor() {
        Scheduler s = context.scheduler();
        if (!started && startPoll == null) {
            startPoll = s.every(START_POLL, () -> {
                if (!started && bytesOut() > StreamHealth.PROGRESS_BYTES) {
                    started = true;
                    context.results().streamStarted(url.redacted(),
                            Math.max(linkedAt, context.results().recordingStartedAt()));
                    context.listener().updated();
                    LOG.info("{}: streaming to {}", context.egressId(), url.redacted());
                }
                if (started) {
                    cancelStartPoll();
                }
            });
        }
        if (livenessPoll == null) {
            livenessPoll = s.every(StreamHealth.POLL, () -> {
                if (health.poll(bytesOut()) == StreamHealth.Liveness.WEDGED) {
                    control.execute(() -> fail(StreamHealth.wedgedMessage()));
                }
            });
        }
    }

    private synchronized void cancelStartPoll() {
        if (startPoll != null) {
            startPoll.cancel();
        }
    }

    private long bytesOut() {
        return stat("out-bytes-total");
    }

    private long stat(String field) {
        Bin b;
        synchronized (this) {
            b = branch;
        }
        if (b == null || gone) {
            return 0;
        }
        try {
            Object stats = b.getElementByName(name + "_sink").get("stats");
            if (stats instanceof Structure st) {
                Object v = st.getValue(field);
                return v instanceof Number n ? n.longValue() : 0;
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: stats of {}: {}", context.egressId(), url.redacted(), e.toString());
        }
        return 0;
    }

    /** The sink posted an error: reconnect an RTMP stream that was working, else drop the destination. */
    void error(String message, boolean ending) {
        if (gone) {
            return;
        }
        if (type == OutputType.RTMP && !ending && health.shouldReconnect(stat("out-bytes-acked"))) {
            LOG.warn("{}: {} failed ({}), reconnecting", context.egressId(), url.redacted(), message);
            reconnect();
            return;
        }
        fail(message);
    }

    /**
     * Replaces the branch after a pause that doubles with every attempt (250 ms up to 4 s): a receiver refusing
     * republishes is not hammered, and the 30 s give-up still applies.
     */
    private void reconnect() {
        unlinkAndDrop();
        context.results().streamRetried(url.redacted());
        if (health.shouldReportRetry()) {
            context.listener().updated();
        }
        int attempt = Math.max(1, health.reconnections());
        Duration pause = RECONNECT_PAUSE.multipliedBy(1L << Math.min(attempt - 1, 4));
        context.scheduler().schedule(pause, () -> control.execute(() -> {
            if (!gone) {
                link(true);
            }
        }));
    }

    /** Drops the destination for good: its StreamInfo becomes FAILED. */
    void fail(String message) {
        if (gone) {
            return;
        }
        gone = true;
        stopMonitoring();
        unlinkAndDrop();
        finished.complete(null);
        failed.accept(this, message);
    }

    /** Ends the destination cleanly (UpdateStream removed it): EOS into its branch, then the branch is dropped. */
    void finish() {
        if (gone) {
            return;
        }
        gone = true;
        stopMonitoring();
        Bin b;
        TeeLink l;
        EosWatch w;
        synchronized (this) {
            b = branch;
            l = link;
            w = eos;
        }
        l.unlink(UNLINK_TIMEOUT_MS, ForkJoinPool.commonPool()).join();
        b.getStaticPad("sink").sendEvent(new EOSEvent());
        try {
            w.eos().get(EOS_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debug("{}: {} did not take EOS in time: {}", context.egressId(), url.redacted(), e.toString());
        }
        drop(b, w);
        finished.complete(null);
    }

    private void unlinkAndDrop() {
        Bin b;
        TeeLink l;
        EosWatch w;
        synchronized (this) {
            b = branch;
            l = link;
            w = eos;
            branch = null;
            link = null;
        }
        if (l != null) {
            l.unlink(UNLINK_TIMEOUT_MS, ForkJoinPool.commonPool()).join();
        }
        if (b != null) {
            drop(b, w);
        }
    }

    private void drop(Bin b, EosWatch w) {
        b.setState(State.NULL);
        parent.remove(b);
        if (w != null) {
            w.close();
        }
    }

    void stopMonitoring() {
        Scheduler.Task a;
        Scheduler.Task b;
        synchronized (this) {
            a = startPoll;
            b = livenessPoll;
        }
        if (a != null) {
            a.cancel();
        }
        if (b != null) {
            b.cancel();
        }
    }
}
