package org.jegress.sources.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Pad;
import org.jegress.pipeline.gst.PadEventProbe;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.event.EOSEvent;
import org.freedesktop.gstreamer.event.Event;
import org.jegress.pipeline.gst.GstNatives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscribed track as a GStreamer element: a bin, already inside the connection's pipeline, whose ghost
 * {@code "src"} pad delivers the track depayloaded but still encoded (see {@link TrackCodec} for the caps).
 *
 * <p>Inside: {@code valve ! queue leaky=downstream max-size-buffers=1000 ! <depayloader>} for audio, plus {@code ! tee} with a
 * keyframe tap ({@code identity drop-buffer-flags=delta-unit ! fakesink}, one Java callback per keyframe, never per
 * packet) for video. The queue's src pad is blocked until {@link #start()}, so nothing reaches a consumer branch that
 * is not running yet, and up to the last 1000 packets before {@code start()} (normally everything since the first packet,
 * including the keyframe the SFU starts a video with) is delivered once it is called. The queue also gives the
 * consumer branch its own streaming thread, decoupled from webrtcbin's jitter buffer.
 *
 * <p>The valve protects the peer connection: with BUNDLE every track shares one transport, and webrtcbin 1.22 hands
 * a flow return from any of its src pads back up to the network source. A track that has seen EOS answers further
 * packets with EOS, which would stop {@code nicesrc} and with it every track and the ICE keep-alives (the server
 * then drops the connection). So the valve closes (drops, returning OK) the moment a track ends, whoever ended it, and
 * EOS is put in behind it; an EOS webrtcbin sends by itself (RTCP BYE, m-line made inactive) is swallowed at the
 * valve and turned into the same orderly end.
 *
 * <p>How to consume: link {@link #src()} to your branch inside {@link RoomConnection#pipeline()}, bring the
 * branch to the pipeline state ({@code syncStateWithParent()}), then call {@link #start()}. When the track ends
 * (unpublished, publisher left, {@link #unsubscribe()}, {@link #endStream()}, connection closed) EOS flows out of
 * {@code src} and {@link #ended()} completes; wait for EOS at your sink before finalising anything.
 *
 * <p>The element survives rejoins: after a full reconnect the new peer connection's pad is linked into the same
 * bin, so the consumer's branch only sees a media gap (and a fresh keyframe for video).
 */
public final class SubscribedTrack {

    private static final Logger LOG = LoggerFactory.getLogger(SubscribedTrack.class);
    private static final long KEYFRAME_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Packets held before {@link #start()} (and buffered after it). */
    static final int HOLD_PACKETS = 1000;
    private static final int EOS_TYPE = org.freedesktop.gstreamer.event.EventType.EOS.intValue();
    private static final int CAPS_TYPE = org.freedesktop.gstreamer.event.EventType.CAPS.intValue();
    /** The jitter buffer's GstRTPPacketLost (the only custom downstream event on this path). */
    private static final int LOST_TYPE = org.freedesktop.gstreamer.event.EventType.CUSTOM_DOWNSTREAM.intValue();

    /** Receives a keyframe notification: the track and {@link System#nanoTime()} when it left the depayloader. */
    public interface KeyframeListener {
        void keyframe(SubscribedTrack track, long nanoTime);
    }

    private final RoomConnection connection;
    private final RemoteTrack info;
    private final TrackCodec codec;
    private final Bin bin;
    private final Element valve;
    private final Element queue;
    private final PadEventProbe upstreamEosWatch;
    private final Pad gate;
    private final Pad.PROBE gateProbe;
    private final Element depay;
    private final GhostPad ghostSink;
    private final GhostPad ghostSrc;
    private final Executor events;
    private final Executor dataOps;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<EndReason> ended = new CompletableFuture<>();
    private final CompletableFuture<Void> injected = new CompletableFuture<>();
    private final List<KeyframeListener> keyframeListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong keyframes = new AtomicLong();
    private final long subscribedAtNanos;
    private volatile long firstMediaNanos;
    private volatile long lastKeyframeNanos;
    private volatile boolean started;
    private volatile boolean ending;
    private volatile Pad upstream;

    // keyframe throttle (≤ 1 PLI per second, the rest coalesced into one deferred request)
    private final Object keyframeLock = new Object();
    private long lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
    private ScheduledFuture<?> deferredKeyframeRequest;
    private final AtomicLong keyframeRequestsSent = new AtomicLong();
    // until a keyframe comes out, ask again every KEYFRAME_RETRY (a lost first keyframe, or a request the SFU
    // swallowed because it had just sent one itself, would otherwise leave the consumer without a picture)
    private static final long KEYFRAME_RETRY_MILLIS = 1200;
    private volatile boolean awaitingKeyframe;
    private ScheduledFuture<?> keyframeWatchdog;

    // gst1-java-core keeps signal/probe callbacks in the Java wrapper of the element or pad they are attached to,
    // and caches wrappers only weakly: every element/pad with a callback stays referenced here, or a GC would
    // silently free the callbacks while GStreamer still calls them
    private final Element keyframeSink;
    private final Pad depaySrc;
    private final Pad valveSink;
    // JNA callbacks (keyframe tap, event watch), held for the bin's lifetime; both fire rarely, never per packet
    private final GstNatives.HandoffCallback onKeyframe;
    private final PadEventProbe eventWatch;
    private volatile boolean capsSeen;
    private final CompletableFuture<Void> eosOut = new CompletableFuture<>();

    SubscribedTrack(RoomConnection connection, RemoteTrack info, TrackCodec codec, Executor events,
            Executor dataOps, ScheduledExecutorService timer, long subscribedAtNanos) {
        this.connection = connection;
        this.info = info;
        this.codec = codec;
        this.events = events;
        this.dataOps = dataOps;
        this.timer = timer;
        this.subscribedAtNanos = subscribedAtNanos;
        String base = "track_" + info.sid();
        bin = new Bin(base);
        valve = ElementFactory.make("valve", base + "_valve");
        queue = ElementFactory.make("queue", base + "_queue");
        queue.setAsString("leaky", "downstream");
        // Bounded by packets, not time: when RTCP lip-sync shifts a stream's timestamps, a time-bounded queue
        // sees seconds "queued" after a few packets and leaks its head, which for video is the keyframe the stream
        // starts with (and the SFU ignores further requests for a while). 1000 packets: ~3 s of 720p video,
        // 20 s of audio, at most ~1.2 MB.
        queue.set("max-size-buffers", HOLD_PACKETS);
        queue.set("max-size-bytes", 0);
        queue.set("max-size-time", 0L);
        depay = ElementFactory.make(codec.depayloader(), base + "_depay");
        Element out = depay;
        if (codec.isVideo()) {
            depay.set("request-keyframe", true);
            depay.set("wait-for-keyframe", true);
            Element tee = ElementFactory.make("tee", base + "_tee");
            Element tap = ElementFactory.make("identity", base + "_keyframes");
            tap.setAsString("drop-buffer-flags", "delta-unit");
            tap.set("silent", true);
            Element sink = ElementFactory.make("fakesink", base + "_kfsink");
            sink.set("sync", false);
            sink.set("async", false);
            sink.set("enable-last-sample", false);
            sink.set("signal-handoffs", true);
            bin.addMany(valve, queue, depay, tee, tap, sink);
            Element.linkMany(valve, queue, depay, tee);
            Element.linkMany(tee, tap, sink);
            onKeyframe = (s, buffer, pad, data) -> keyframeSeen();
            sink.connect("handoff", GstNatives.HandoffCallback.class, onKeyframe, onKeyframe);
            keyframeSink = sink;
            out = tee;
        } else {
            onKeyframe = null;
            keyframeSink = null;
            bin.addMany(valve, queue, depay);
            Element.linkMany(valve, queue, depay);
        }
        // Watches the (rare) events leaving the depayloader: notes EOS, and for VP8/VP9 keeps the first caps. Their
        // resolution travels in-band, but a later caps change (publishers switch layers, or send a tiny black
        // keyframe when they stop) would make passthrough muxers such as webmmux refuse the stream
        // (not-negotiated), which stops the track's streaming thread for good.
        boolean pinCaps = codec == TrackCodec.VP8 || codec == TrackCodec.VP9;
        depaySrc = depay.getStaticPad("src");
        eventWatch = new PadEventProbe(depaySrc, type -> {
            if (type == EOS_TYPE) {
                LOG.debug("EOS of track {} left the depayloader", info.sid());
                eosOut.complete(null);
            } else if (pinCaps && type == CAPS_TYPE) {
                if (capsSeen) {
                    return false;
                }
                capsSeen = true;
            }
            return true;
        });
        Pad outPad = codec.isVideo() ? out.getRequestPad("src_%u") : out.getStaticPad("src");
        ghostSrc = new GhostPad("src", outPad);
        ghostSink = new GhostPad("sink", valve.getStaticPad("sink"));
        // EOS from webrtcbin (BYE, inactive m-line): close the valve at once and end the track the orderly way
        valveSink = valve.getStaticPad("sink");
        boolean video = codec.isVideo();
        upstreamEosWatch = new PadEventProbe(valveSink, type -> {
            if (type == LOST_TYPE && video) {
                // A lost packet (NACK gave up) makes the depayloader drop everything up to the next keyframe, and
                // publishers send none unasked: ask (throttled) until one comes out; off the streaming thread.
                if (started && !ending && !awaitingKeyframe) {
                    awaitingKeyframe = true;
                    try {
                        timer.execute(this::awaitKeyframe);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        LOG.debug("track {}: connection closing, no keyframe request", info.sid());
                    }
                }
                return true;
            }
            if (type != EOS_TYPE) {
                return true;
            }
            LOG.debug("webrtcbin ended the stream of track {}; valve closed", info.sid());
            valve.set("drop", true);
            connection.upstreamEnded(this);
            return false;
        });
        bin.addPad(ghostSrc);
        bin.addPad(ghostSink);
        // blocked until start(): the callback runs once, when the first item arrives, and keeps it waiting
        gate = queue.getStaticPad("src");
        gateProbe = (pad, probeInfo) -> PadProbeReturn.OK;
        gate.addProbe(PadProbeType.BLOCK_DOWNSTREAM, gateProbe);
    }

    /** What the server said about the track when it was subscribed. */
    public RemoteTrack info() {
        return info;
    }

    /** The codec actually negotiated (from the RTP caps of the first packet). */
    public TrackCodec codec() {
        return codec;
    }

    /** GStreamer media type of {@link #src()}, e.g. "video/x-h264". */
    public String mediaType() {
        return codec.mediaType();
    }

    /** The track's bin (already added to {@link RoomConnection#pipeline()}). */
    public Bin element() {
        return bin;
    }

    /** The bin's ghost "src" pad: link your branch here. */
    public Pad src() {
        return ghostSrc;
    }

    /**
     * Lets media through to {@link #src()}: first what was held since the track started flowing (at most {@value #HOLD_PACKETS} packets), then
     * live. Call after your branch is linked and in the pipeline's state: media pushed into a branch that is not
     * running yet would stop the track's streaming thread. For video a keyframe is also requested, in case the one
     * the stream began with was already dropped from the hold queue. Idempotent; also lets a pending EOS out.
     */
    public void start() {
        synchronized (this) {
            if (started) {
                return;
            }
            started = true;
        }
        gate.removeProbe(gateProbe);
        if (codec.isVideo() && !ending) {
            awaitKeyframe();
        }
    }

    /**
     * Requests a keyframe now and again every {@link #KEYFRAME_RETRY_MILLIS} until one leaves the depayloader (video
     * only; throttled like {@link #requestKeyframe()}).
     */
    public void awaitKeyframe() {
        if (!codec.isVideo() || ending) {
            return;
        }
        awaitingKeyframe = true;
        requestKeyframe();
        synchronized (keyframeLock) {
            if (keyframeWatchdog == null) {
                keyframeWatchdog = timer.scheduleWithFixedDelay(() -> {
                    if (ending) {
                        stopKeyframeWatchdog();
                    } else if (awaitingKeyframe) {
                        LOG.debug("no keyframe yet on track {}; asking again", info.sid());
                        requestKeyframe();
                    }
                }, KEYFRAME_RETRY_MILLIS, KEYFRAME_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void stopKeyframeWatchdog() {
        synchronized (keyframeLock) {
            if (keyframeWatchdog != null) {
                keyframeWatchdog.cancel(false);
                keyframeWatchdog = null;
            }
        }
    }

    /** When the last keyframe request went out ({@link System#nanoTime()}); far in the past before the first. */
    public long lastKeyframeRequestNanos() {
        synchronized (keyframeLock) {
            return lastKeyframeRequestNanos;
        }
    }

    /**
     * Asks the publisher for a keyframe (RTCP PLI through the SFU). Throttled to one request per second per track:
     * a request within a second of the previous one is deferred to the end of that second and merged with any other
     * request made meanwhile. No-op for audio and after the track ended.
     *
     * @return true if a request went out now, false if it was deferred or not needed
     */
    public boolean requestKeyframe() {
        if (!codec.isVideo() || ending) {
            return false;
        }
        synchronized (keyframeLock) {
            long now = System.nanoTime();
            long since = now - lastKeyframeRequestNanos;
            if (since >= KEYFRAME_INTERVAL_NANOS) {
                if (deferredKeyframeRequest != null) {
                    deferredKeyframeRequest.cancel(false);
                    deferredKeyframeRequest = null;
                }
                lastKeyframeRequestNanos = now;
                return sendForceKeyUnit();
            }
            if (deferredKeyframeRequest == null) {
                deferredKeyframeRequest = timer.schedule(() -> {
                    synchronized (keyframeLock) {
                        deferredKeyframeRequest = null;
                        lastKeyframeRequestNanos = System.nanoTime();
                    }
                    sendForceKeyUnit();
                }, KEYFRAME_INTERVAL_NANOS - since, TimeUnit.NANOSECONDS);
            }
            return false;
        }
    }

    private boolean sendForceKeyUnit() {
        Pad pad = upstream;
        if (pad == null || ending) {
            return false;
        }
        Event ev = GstNatives.forceKeyUnitUpstream();
        boolean ok = pad.sendEvent(ev);
        ev.dispose();
        keyframeRequestsSent.incrementAndGet();
        LOG.debug("keyframe request for {} sent: {}", info.sid(), ok);
        return ok;
    }

    /** Keyframes requested so far (PLIs actually sent, after throttling). */
    public long keyframeRequests() {
        return keyframeRequestsSent.get();
    }

    /** Keyframes delivered so far (video; 0 for audio). */
    public long keyframes() {
        return keyframes.get();
    }

    /** {@link System#nanoTime()} of the last keyframe, or 0. */
    public long lastKeyframeNanos() {
        return lastKeyframeNanos;
    }

    /** Calls {@code listener} on the connection's event thread for every keyframe that leaves the depayloader. */
    public void addKeyframeListener(KeyframeListener listener) {
        keyframeListeners.add(listener);
    }

    public void removeKeyframeListener(KeyframeListener listener) {
        keyframeListeners.remove(listener);
    }

    /** {@link System#nanoTime()} when the first RTP packet of this track arrived (its pad appeared). */
    public long firstMediaNanos() {
        return firstMediaNanos;
    }

    /** Time from {@link RoomConnection#subscribe} to the first RTP packet of this track, in nanoseconds. */
    public long subscribeToFirstMediaNanos() {
        return firstMediaNanos - subscribedAtNanos;
    }

    /** Completes with the reason once the track ended (EOS has been sent out of {@link #src()} by then). */
    public CompletableFuture<EndReason> ended() {
        return ended;
    }

    /** True once the track started ending (EOS may still be on its way out of {@link #src()}). */
    public boolean isEnded() {
        return ending;
    }

    /** Stops the subscription on the server and ends the track ({@link EndReason#UNSUBSCRIBED}). */
    public void unsubscribe() {
        connection.unsubscribe(this);
    }

    /**
     * Ends the stream now ({@link EndReason#STOPPED}): EOS flows out of {@link #src()} so your branch can finalise.
     * The server-side subscription stays until {@link #unsubscribe()} or {@link RoomConnection#close()}.
     */
    public void endStream() {
        end(EndReason.STOPPED);
    }

    // ------------------------------------------------------------------ package-private plumbing

    GhostPad sinkPad() {
        return ghostSink;
    }

    Pad upstream() {
        return upstream;
    }

    /** Links a webrtcbin src pad into the bin (streaming thread, inside pad-added). */
    void attach(Pad webrtcPad) throws PadLinkException {
        if (ghostSink.isLinked()) {
            Pad old = ghostSink.getPeer();
            if (old != null) {
                old.unlink(ghostSink);
            }
        }
        if (!ending) {
            valve.set("drop", false);
        }
        webrtcPad.link(ghostSink);
        upstream = webrtcPad;
        if (firstMediaNanos == 0) {
            firstMediaNanos = System.nanoTime();
        }
    }

    /** After a rejoin re-attached the track: the consumer's decoder needs a fresh keyframe. */
    void reattached() {
        if (codec.isVideo() && started && !ending) {
            awaitKeyframe();
        }
    }

    /** Forgets the webrtcbin pad of a peer connection that is being torn down. */
    void detach() {
        upstream = null;
    }

    /**
     * Ends the track once: EOS into the bin's queue, behind the media already held, serialised with what webrtcbin
     * is pushing; then completes {@link #ended()}.
     */
    CompletableFuture<Void> end(EndReason reason) {
        synchronized (this) {
            if (ending) {
                return injected;
            }
            ending = true;
        }
        synchronized (keyframeLock) {
            if (deferredKeyframeRequest != null) {
                deferredKeyframeRequest.cancel(false);
                deferredKeyframeRequest = null;
            }
        }
        stopKeyframeWatchdog();
        // from now on webrtcbin's packets for this track are dropped with OK (see the class comment)
        valve.set("drop", true);
        LOG.info("track {} ({}) ended: {}", info.sid(), codec, reason);
        // Sending a serialised event waits for the streaming thread's current buffer; never do that on the
        // signalling thread, a consumer branch that blocks must not stall the connection.
        Runnable eos = () -> {
            try {
                boolean sent = queue.getStaticPad("sink").sendEvent(new EOSEvent());
                LOG.debug("EOS into track {}: {}", info.sid(), sent);
                // Normally the EOS leaves the depayloader within milliseconds, behind the media still queued. If
                // the queue's streaming thread stopped (a consumer branch failed, or webrtcbin already ended the
                // stream on a pad we never let out), put it in after the queue so the consumer can finalise.
                try {
                    eosOut.get(started ? 1000 : 0, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    boolean direct = depay.getStaticPad("sink").sendEvent(new EOSEvent());
                    LOG.debug("EOS of track {} did not come out of its queue; sent behind it: {}", info.sid(),
                            direct);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } finally {
                injected.complete(null);
                try {
                    events.execute(() -> ended.complete(reason));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    ended.complete(reason);
                }
            }
        };
        try {
            dataOps.execute(eos);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            eos.run();
        }
        return injected;
    }

    boolean isEnding() {
        return ending;
    }

    private void keyframeSeen() {
        long now = System.nanoTime();
        awaitingKeyframe = false;
        lastKeyframeNanos = now;
        keyframes.incrementAndGet();
        if (!keyframeListeners.isEmpty()) {
            events.execute(() -> keyframeListeners.forEach(l -> l.keyframe(this, now)));
        }
    }

    @Override
    public String toString() {
        return "SubscribedTrack[" + info.sid() + " " + codec + " of " + info.participantIdentity() + "]";
    }
}
