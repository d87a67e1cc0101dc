package org.jegress.sources.room;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.webrtc.WebRTCPeerConnectionState;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.sources.room.proto.DisconnectReason;
import org.jegress.sources.room.proto.JoinResponse;
import org.jegress.sources.room.proto.LeaveRequest;
import org.jegress.sources.room.proto.ParticipantInfo;
import org.jegress.sources.room.proto.ParticipantTracks;
import org.jegress.sources.room.proto.Ping;
import org.jegress.sources.room.proto.SessionDescription;
import org.jegress.sources.room.proto.SignalRequest;
import org.jegress.sources.room.proto.SignalResponse;
import org.jegress.sources.room.proto.SignalTarget;
import org.jegress.sources.room.proto.TrickleRequest;
import org.jegress.sources.room.proto.UpdateSubscription;
import org.jegress.sources.room.proto.UpdateTrackSettings;
import org.jegress.pipeline.gst.GstNatives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hidden, subscribe-only LiveKit participant whose media is received inside GStreamer by {@code webrtcbin}.
 * See the package documentation for the threading model, pipeline ownership and rejoin behaviour.
 *
 * <pre>{@code
 * try (RoomConnection room = RoomConnection.connect(options, null, listener)) {
 *     SubscribedTrack audio = room.subscribe(trackSid).get(20, SECONDS);
 *     Bin branch = Gst.parseBinFromDescription("queue ! opusparse ! oggmux ! filesink location=a.ogg", true);
 *     room.pipeline().add(branch);
 *     audio.src().link(branch.getStaticPad("sink"));
 *     branch.syncStateWithParent();
 *     audio.start();
 *     ...
 *     audio.endStream();            // EOS → the file is finalised; wait for EOS at the filesink
 * }
 * }</pre>
 */
public final class RoomConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoomConnection.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Duration LEAVE_GRACE = Duration.ofSeconds(1);
    private static final Duration DISCONNECTED_GRACE = Duration.ofSeconds(5);

    private final RoomOptions options;
    private final Pipeline pipeline;
    private final boolean ownsPipeline;
    private final List<RoomListener> listeners = new CopyOnWriteArrayList<>();
    private final String label;

    /** Signalling, negotiation, bookkeeping and timers: everything that mutates state runs here, in order. */
    private final ScheduledThreadPoolExecutor signal;
    /** Listener calls and future completions, so user code never runs on the signalling thread. */
    private final ExecutorService events;
    /**
     * EOS injections and other calls that may wait for a streaming thread; a pool, so that one consumer branch that
     * blocks cannot hold up the EOS of every other track.
     */
    private final ExecutorService dataOps;
    private final HttpClient http;

    // ---- state below: only touched on the signal thread unless volatile/concurrent
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private int generation;
    private SignalClient client;
    private PeerSession peer;
    private final List<PeerSession> retiredPeers = new ArrayList<>();
    /** Names of every webrtcbin this connection put in the pipeline; kept after close for late bus messages. */
    private final Set<String> webrtcNames = ConcurrentHashMap.newKeySet();
    private Sdp lastOffer;
    private Sdp lastAnswer;
    private int bundleIndex;
    private boolean answerSent;
    private final List<Object[]> pendingCandidates = new ArrayList<>();
    private final Map<String, String> midToTrack = new ConcurrentHashMap<>();
    /** The codec each mid was answered with, for the life of a peer session. */
    private final Map<String, TrackCodec> midCodecs = new ConcurrentHashMap<>();
    private final Roster roster = new Roster(new RosterChanges());
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private String selfSid = "";
    /** This participant's metadata as the server last sent it. */
    private String selfMetadata = "";
    private volatile String refreshToken;
    private volatile org.jegress.sources.room.proto.Room room = org.jegress.sources.room.proto.Room.getDefaultInstance();
    private volatile String serverVersion = "";
    private long pingIntervalMs = 5000;
    private long pingTimeoutMs = 15000;
    private volatile long lastMessageNanos;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> joinWatchdog;
    private ScheduledFuture<?> disconnectedCheck;
    private int rejoinAttempts;
    private boolean closing;
    private final CompletableFuture<Void> firstJoin = new CompletableFuture<>();
    private final long createdNanos = System.nanoTime();

    // ---- metrics
    private volatile long joinedNanos;
    private volatile long peerConnectedNanos;
    private volatile long lastRttMs = -1;
    private final AtomicLong pongs = new AtomicLong();
    private final AtomicInteger rejoins = new AtomicInteger();

    // ---- JNA/bus callbacks, held for the connection's lifetime
    private final Bus.ERROR busError;

    /** One wanted subscription; its {@link SubscribedTrack} exists once the first RTP packet arrived. */
    private static final class Subscription {
        final String trackSid;
        volatile String participantSid;
        final CompletableFuture<SubscribedTrack> future = new CompletableFuture<>();
        final long requestedNanos = System.nanoTime();
        volatile SubscribedTrack track;
        volatile boolean cancelled;

        Subscription(String trackSid, String participantSid) {
            this.trackSid = trackSid;
            this.participantSid = participantSid;
        }
    }

    private RoomConnection(RoomOptions options, Pipeline host, RoomListener listener) {
        this.options = options;
        this.label = "room-" + INSTANCES.incrementAndGet();
        if (listener != null) {
            listeners.add(listener);
        }
        this.signal = new ScheduledThreadPoolExecutor(1, daemon(label + "-signal"));
        this.signal.setRemoveOnCancelPolicy(true);
        this.events = Executors.newSingleThreadExecutor(daemon(label + "-events"));
        this.dataOps = Executors.newCachedThreadPool(daemon(label + "-gst"));
        this.http = HttpClient.newBuilder().connectTimeout(options.joinTimeout()).build();
        GstRuntime.ensureInitialized();
        if (host == null) {
            pipeline = new Pipeline(label);
            ownsPipeline = true;
            pipeline.play();
        } else {
            pipeline = host;
            ownsPipeline = false;
        }
        busError = (source, code, message) -> {
            PeerSession p = peer;
            if (ownsPipeline && !ownsMessageSource(source)) {
                // the consumer's problem, but nobody else listens on a pipeline we own unless they chose to
                LOG.warn("{}: GStreamer error from {}: {}", label, source == null ? "?" : source.getName(), message);
            }
            if (p != null && ownsMessageSource(source) && isInside(source, p)) {
                if (isSctpElement(source)) {
                    // The data channel's association: a recorder needs none, and the server drops it when the room
                    // closes, just before its Leave. Rejoining then would create the room anew and record it empty.
                    LOG.info("{}: data channel {} ended ({}); the media goes on", label, source.getName(), message);
                    return;
                }
                LOG.warn("{}: webrtcbin error from {}: {}", label, source.getName(), message);
                execute(() -> {
                    if (p == peer) {
                        rejoin("webrtcbin error from " + source.getName() + ": " + message);
                    }
                });
            }
        };
        pipeline.getBus().connect(busError);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Joins the room and returns once the server accepted the join (participants and tracks are known then;
     * media flows after {@link #subscribe}).
     *
     * @param options where and how to join
     * @param pipeline the pipeline webrtcbin and the track bins go into; it must already be PLAYING (webrtcbin has
     *        to be before the first offer). Null: the connection creates, plays and, on close, disposes its own,
     *        available through {@link #pipeline()}
     * @param listener room events, or null
     * @throws RoomConnectionException if the join fails or times out
     */
    public static RoomConnection connect(RoomOptions options, Pipeline pipeline, RoomListener listener)
            throws InterruptedException {
        Objects.requireNonNull(options, "options");
        if (pipeline != null) {
            State s = pipeline.getState(TimeUnit.SECONDS.toNanos(5));
            if (s != State.PLAYING) {
                throw new IllegalStateException("the pipeline must be PLAYING before connecting, it is " + s);
            }
        }
        RoomConnection c = new RoomConnection(options, pipeline, listener);
        c.signal.execute(() -> c.join(false));
        try {
            c.firstJoin.get(options.joinTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
            return c;
        } catch (ExecutionException e) {
            c.close();
            Throwable cause = e.getCause();
            throw cause instanceof RoomConnectionException rce ? rce
                    : new RoomConnectionException("join failed: " + cause, cause);
        } catch (TimeoutException e) {
            c.close();
            throw new RoomConnectionException("join timed out after " + options.joinTimeout(), e);
        } catch (InterruptedException e) {
            c.close();
            throw e;
        }
    }

    // =================================================================== public API

    /** The pipeline holding webrtcbin and every track bin; add your branches here. */
    public Pipeline pipeline() {
        return pipeline;
    }

    public ConnectionState state() {
        return state;
    }

    public RoomOptions options() {
        return options;
    }

    public void addListener(RoomListener listener) {
        listeners.add(listener);
    }

    public void removeListener(RoomListener listener) {
        listeners.remove(listener);
    }

    /** The other participants (the recorder itself excluded), as last described by the server. */
    public List<RemoteParticipant> participants() {
        return roster.participants();
    }

    /** Every published track of the other participants, by track SID. */
    public Map<String, RemoteTrack> tracks() {
        return roster.tracks();
    }

    /** A published track by SID. */
    public Optional<RemoteTrack> track(String trackSid) {
        return Optional.ofNullable(roster.tracks().get(trackSid));
    }

    /** The recorder's own participant SID in the current session (changes on a rejoin). */
    public String participantSid() {
        return selfSid;
    }

    /** Room name and SID as the server reported them, and whether it shows an active recording. */
    public String roomSid() {
        return room.getSid();
    }

    public boolean roomRecordingActive() {
        return room.getActiveRecording();
    }

    public String serverVersion() {
        return serverVersion;
    }

    /**
     * Subscribes to a published track. The future completes, on the event thread, once the first RTP packet of the
     * track arrived and its {@link SubscribedTrack} bin is in the pipeline (the codec is then the negotiated one).
     * It fails if the server refuses the subscription, the track is unknown, unpublished or has no codec we can
     * depayload, or the connection closes first. A muted track completes only once it is unmuted. Subscribing to a
     * track that is already subscribed returns the same future.
     */
    public CompletableFuture<SubscribedTrack> subscribe(String trackSid) {
        CompletableFuture<SubscribedTrack> result = new CompletableFuture<>();
        signal.execute(() -> {
            Subscription existing = subscriptions.get(trackSid);
            if (existing != null && !existing.cancelled) {
                existing.future.whenComplete((t, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(t);
                    }
                });
                return;
            }
            if (state.isFinal() || closing) {
                result.completeExceptionally(new RoomConnectionException("connection is " + state, null));
                return;
            }
            RemoteTrack t = roster.tracks().get(trackSid);
            if (t == null) {
                result.completeExceptionally(new IllegalArgumentException("no published track " + trackSid));
                return;
            }
            if (t.supportedCodec().isEmpty()) {
                result.completeExceptionally(new RoomConnectionException("track " + trackSid + " is "
                        + t.codecMimeTypes() + ", none of which can be recorded without transcoding", null));
                return;
            }
            Subscription s = new Subscription(trackSid, t.participantSid());
            subscriptions.put(trackSid, s);
            s.future.whenComplete((tr, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(tr);
                }
            });
            if (state == ConnectionState.CONNECTED) {
                sendSubscription(List.of(s), true);
            }
        });
        return result;
    }

    /** Round-trip time of the last ping_req/pong_resp exchange in ms, or -1 before the first pong. */
    public long lastRttMillis() {
        return lastRttMs;
    }

    /** pong_resp messages received so far (all sessions). */
    public long pongsReceived() {
        return pongs.get();
    }

    /** Full rejoins performed so far. */
    public int rejoinCount() {
        return rejoins.get();
    }

    /** Time from {@link #connect} to the (first) JoinResponse, in ms. */
    public long joinMillis() {
        return joinedNanos == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(joinedNanos - createdNanos);
    }

    /** Time from {@link #connect} until the peer connection (ICE + DTLS) first reached CONNECTED, in ms, or -1. */
    public long peerConnectedMillis() {
        return peerConnectedNanos == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(peerConnectedNanos - createdNanos);
    }

    /**
     * Whether a bus message source is part of this connection's webrtcbin (current or torn down). A consumer sharing
     * the pipeline should leave errors from such sources to the connection, which answers them with a rejoin.
     */
    public boolean ownsMessageSource(GstObject source) {
        if (source == null) {
            return false;
        }
        GstObject o = source;
        GstObject top = source;
        for (int depth = 0; o != null && depth < 16; depth++) {
            String n = o.getName();
            if (n != null && webrtcNames.contains(n)) {
                return true;
            }
            top = o;
            o = o.getParent();
        }
        // webrtcbin's data-channel elements, already out of a bin that is being torn down: a message they posted
        // before (the server drops the association as the room closes) is handled after its bin left the pipeline
        return top == source && isSctpElement(source) && !webrtcNames.isEmpty();
    }

    static boolean isSctpElement(GstObject o) {
        String n = o.getName();
        return n != null && (n.startsWith("sctpenc") || n.startsWith("sctpdec"));
    }

    /** For tests: drops the signalling WebSocket as if the network failed (the connection then rejoins). */
    void simulateSignalLoss() {
        signal.execute(() -> {
            SignalClient c = client;
            if (c != null) {
                c.abort();
                onSignalClosed(c, -1, "simulated signal loss", null);
            }
        });
    }

    /**
     * Leaves the room (LeaveRequest CLIENT_INITIATED), ends every subscribed track with EOS
     * ({@link EndReason#CONNECTION_CLOSED}) and releases webrtcbin. Track bins stay in the pipeline for the
     * consumer's branches to drain; a pipeline the connection created is stopped and disposed. Idempotent.
     */
    @Override
    public void close() {
        if (!signal.isShutdown()) {
            Latch f = new Latch();
            try {
                signal.execute(() -> {
                    try {
                        shutdown(ConnectionState.CLOSED, EndReason.CONNECTION_CLOSED, null, true);
                    } finally {
                        f.done.complete(null);
                    }
                });
                f.done.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // already shut down
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("{}: close did not finish in time: {}", label, e.toString());
            }
        }
        signal.shutdownNow();
        dataOps.shutdown();
        events.shutdown();
        boolean onEventThread = Thread.currentThread().getName().equals(label + "-events");
        try {
            dataOps.awaitTermination(5, TimeUnit.SECONDS);
            if (!onEventThread) {
                events.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (retiredPeers) {
            // stopped and out of the pipeline: releasing them now also drops their signal handlers
            for (PeerSession p : retiredPeers) {
                p.webrtc.dispose();
            }
            retiredPeers.clear();
        }
        pipeline.getBus().disconnect(busError);
        if (ownsPipeline) {
            pipeline.stop();
            pipeline.dispose();
        }
    }

    private static final class Latch {
        final CompletableFuture<Void> done = new CompletableFuture<>();
    }

    // =================================================================== join / rejoin (signal thread)

    private void join(boolean rejoin) {
        if (closing || state.isFinal()) {
            return;
        }
        int gen = ++generation;
        SignalClient c = new SignalClient(http, new SignalClient.Handler() {
            @Override
            public void onMessage(SignalClient source, SignalResponse message) {
                execute(() -> onSignal(source, message));
            }

            @Override
            public void onClosed(SignalClient source, int code, String reason, Throwable error) {
                execute(() -> onSignalClosed(source, code, reason, error));
            }
        });
        client = c;
        String token = options.tokenSource().get();
        if (rejoin && refreshToken != null && options.fixedToken()) {
            token = refreshToken;
        }
        try {
            c.connect(options.serverUrl(), token, options.reuseMitigation(), options.joinTimeout()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.warn("{}: join attempt {} failed: {}", label, gen, cause.getMessage());
            if (!rejoin) {
                firstJoin.completeExceptionally(cause);
                shutdown(ConnectionState.FAILED, EndReason.CONNECTION_FAILED, cause, false);
            } else {
                rejoin("join failed: " + cause.getMessage());
            }
            return;
        }
        lastMessageNanos = System.nanoTime();
        joinWatchdog = signal.schedule(() -> {
            if (client == c && peer == null) {
                RoomConnectionException e = new RoomConnectionException("no JoinResponse within "
                        + options.joinTimeout(), null);
                if (!rejoin) {
                    firstJoin.completeExceptionally(e);
                    shutdown(ConnectionState.FAILED, EndReason.CONNECTION_FAILED, e, false);
                } else {
                    rejoin(e.getMessage());
                }
            }
        }, options.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void execute(Runnable r) {
        try {
            signal.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.error("{}: signalling task failed", label, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void onJoin(JoinResponse jr) {
        if (joinWatchdog != null) {
            joinWatchdog.cancel(false);
        }
        boolean first = joinedNanos == 0;
        if (first) {
            joinedNanos = System.nanoTime();
        }
        selfSid = jr.getParticipant().getSid();
        selfMetadata(jr.getParticipant());
        room = jr.getRoom();
        serverVersion = jr.getServerInfo().getVersion().isEmpty() ? jr.getServerVersion()
                : jr.getServerInfo().getVersion();
        pingIntervalMs = jr.getPingInterval() > 0 ? jr.getPingInterval() * 1000L : 5000;
        pingTimeoutMs = options.pingTimeoutOverride() != null ? options.pingTimeoutOverride().toMillis()
                : jr.getPingTimeout() > 0 ? jr.getPingTimeout() * 1000L : 15000;
        LOG.info("{}: joined room {} ({}) as {} {} on server {} (protocol {}), {} other participant(s)", label,
                jr.getRoom().getName(), jr.getRoom().getSid(), options.identity(), selfSid, serverVersion,
                jr.getServerInfo().getProtocol(), jr.getOtherParticipantsCount());
        if (!jr.getSubscriberPrimary()) {
            LOG.warn("{}: server did not make the subscriber primary; offers may never come", label);
        }
        boolean forceRelay = jr.getClientConfiguration().getForceRelay()
                == org.jegress.sources.room.proto.ClientConfigSetting.ENABLED;
        long peerStart = System.nanoTime();
        PeerSession p = new PeerSession(generation, pipeline, options.jitterBufferLatency(),
                jr.getIceServersList(), forceRelay, signal, new PeerEvents());
        webrtcNames.add(p.webrtc.getName());
        try {
            p.start();
        } catch (RuntimeException e) {
            p.dispose();
            retire(p);
            if (first) {
                firstJoin.completeExceptionally(e);
                shutdown(ConnectionState.FAILED, EndReason.CONNECTION_FAILED, e, false);
            } else {
                rejoin("webrtcbin failed to start: " + e.getMessage());
            }
            return;
        }
        LOG.info("{}: {} ready in {} ms", label, p.webrtc.getName(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - peerStart));
        peer = p;
        lastOffer = null;
        lastAnswer = null;
        answerSent = false;
        pendingCandidates.clear();

        // participants: on a rejoin, diff against what we knew so listeners see what happened meanwhile
        roster.joined(selfSid, jr.getOtherParticipantsList());

        startPing();
        setState(ConnectionState.CONNECTED, null);
        firstJoin.complete(null);

        // re-subscribe what is still wanted
        List<Subscription> again = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            if (s.cancelled) {
                continue;
            }
            RemoteTrack t = roster.tracks().get(s.trackSid);
            if (t == null) {
                endSubscription(s, EndReason.UNPUBLISHED, "track gone after rejoin");
            } else {
                s.participantSid = t.participantSid();
                again.add(s);
            }
        }
        if (!again.isEmpty()) {
            sendSubscription(again, true);
        }
    }

    /**
     * Full rejoin (spec §3.10): drop the socket and webrtcbin, open a new session with the same identity (the old
     * server-side session, if any, is evicted), re-subscribe. Subscribed track bins stay and get the new pads.
     */
    private void rejoin(String reason) {
        if (closing || state.isFinal()) {
            return;
        }
        if (state == ConnectionState.RECONNECTING && peer == null && client != null) {
            // a join attempt is already under way; its own failure path reschedules
            LOG.debug("{}: rejoin already in progress ({})", label, reason);
        }
        rejoinAttempts++;
        rejoins.incrementAndGet();
        LOG.warn("{}: full rejoin #{} because: {}", label, rejoinAttempts, reason);
        tearDownSession();
        if (rejoinAttempts > options.maxRejoinAttempts()) {
            shutdown(ConnectionState.FAILED, EndReason.CONNECTION_FAILED,
                    new RoomConnectionException("gave up after " + options.maxRejoinAttempts()
                            + " rejoin attempts; last cause: " + reason, null), false);
            return;
        }
        setState(ConnectionState.RECONNECTING, new RoomConnectionException(reason, null));
        long delay = rejoinAttempts <= 1 ? 0 : Math.min(5000, 250L << Math.min(5, rejoinAttempts - 1));
        int gen = generation;
        signal.schedule(() -> {
            if (generation == gen) {
                join(true);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void tearDownSession() {
        if (pingTask != null) {
            pingTask.cancel(false);
            pingTask = null;
        }
        if (joinWatchdog != null) {
            joinWatchdog.cancel(false);
        }
        if (disconnectedCheck != null) {
            disconnectedCheck.cancel(false);
        }
        SignalClient c = client;
        client = null;
        if (c != null) {
            c.abort();
        }
        PeerSession p = peer;
        peer = null;
        if (p != null) {
            for (Subscription s : subscriptions.values()) {
                SubscribedTrack t = s.track;
                if (t != null) {
                    t.detach();
                }
            }
            p.dispose();
            retire(p);
        }
        midToTrack.clear();
        midCodecs.clear();
        lastOffer = null;
        lastAnswer = null;
        answerSent = false;
        pendingCandidates.clear();
    }

    private void retire(PeerSession p) {
        synchronized (retiredPeers) {
            retiredPeers.add(p);
        }
    }

    /** Final stop: leave (if asked), end every track, release webrtcbin. Signal thread. */
    private void shutdown(ConnectionState finalState, EndReason reason, Throwable cause, boolean leave) {
        if (closing) {
            return;
        }
        closing = true;
        if (pingTask != null) {
            pingTask.cancel(false);
        }
        List<CompletableFuture<Void>> eosInjected = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            SubscribedTrack t = s.track;
            endSubscription(s, reason, reason.toString());
            if (t != null) {
                eosInjected.add(t.end(reason));
            }
        }
        // let the EOS injections get in before webrtcbin goes away
        try {
            CompletableFuture.allOf(eosInjected.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("{}: waiting for EOS injections: {}", label, e.toString());
        }
        PeerSession p = peer;
        peer = null;
        if (p != null) {
            p.dispose();
            retire(p);
        }
        // leave last: the server then drops the session at once (without it, only after the PC times out)
        SignalClient c = client;
        client = null;
        if (c != null) {
            if (leave) {
                c.close(SignalRequest.newBuilder().setLeave(LeaveRequest.newBuilder()
                        .setReason(DisconnectReason.CLIENT_INITIATED)
                        .setAction(LeaveRequest.Action.DISCONNECT)).build(), LEAVE_GRACE);
            } else {
                c.abort();
            }
        }
        firstJoin.completeExceptionally(cause != null ? cause : new CancellationException("closed"));
        setState(finalState, cause);
    }

    private void setState(ConnectionState s, Throwable cause) {
        if (state == s) {
            return;
        }
        state = s;
        LOG.info("{}: {}{}", label, s, cause == null ? "" : " (" + cause.getMessage() + ")");
        emit(l -> l.connectionStateChanged(s, cause));
    }

    private void emit(java.util.function.Consumer<RoomListener> call) {
        try {
            events.execute(() -> {
                for (RoomListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: listener failed", label, e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    // =================================================================== signalling (signal thread)

    private void onSignalClosed(SignalClient source, int code, String reason, Throwable error) {
        if (source != client || closing) {
            return;
        }
        rejoin("signal connection closed (" + code + " " + reason + ")"
                + (error == null ? "" : ": " + error));
    }

    private void onSignal(SignalClient source, SignalResponse msg) {
        if (source != client || closing) {
            return;
        }
        lastMessageNanos = System.nanoTime();
        switch (msg.getMessageCase()) {
            case JOIN -> onJoin(msg.getJoin());
            case OFFER -> onOffer(msg.getOffer());
            case TRICKLE -> onTrickle(msg.getTrickle());
            case UPDATE -> {
                for (ParticipantInfo pi : msg.getUpdate().getParticipantsList()) {
                    if (pi.getSid().equals(selfSid)) {
                        selfMetadata(pi);
                    } else {
                        roster.apply(pi, false);
                    }
                }
                roster.publish();
            }
            case LEAVE -> onLeave(msg.getLeave());
            case SPEAKERS_CHANGED -> {
                List<String> identities = roster.speakersChanged(msg.getSpeakersChanged());
                emit(l -> l.activeSpeakersChanged(identities));
            }
            case ROOM_UPDATE -> room = msg.getRoomUpdate().getRoom();
            case REFRESH_TOKEN -> refreshToken = msg.getRefreshToken();
            case PONG_RESP -> {
                lastRttMs = System.currentTimeMillis() - msg.getPongResp().getLastPingTimestamp();
                pongs.incrementAndGet();
            }
            case PONG -> pongs.incrementAndGet();
            case SUBSCRIPTION_RESPONSE -> {
                Subscription s = subscriptions.get(msg.getSubscriptionResponse().getTrackSid());
                if (s != null && s.track == null) {
                    subscriptions.remove(s.trackSid, s);
                    s.cancelled = true;
                    completeExceptionally(s.future, new RoomConnectionException("subscription to " + s.trackSid
                            + " refused: " + msg.getSubscriptionResponse().getErr(), null));
                }
            }
            case STREAM_STATE_UPDATE -> msg.getStreamStateUpdate().getStreamStatesList().forEach(st ->
                    LOG.debug("{}: stream {} of {} is {}", label, st.getTrackSid(), st.getParticipantSid(),
                            st.getState()));
            case SUBSCRIPTION_PERMISSION_UPDATE, ANSWER -> {
                // recorders are exempt from permissions; there is no publisher PC to answer
            }
            default -> {
                // unknown or irrelevant message kinds are ignored, as newer servers add some
            }
        }
    }

    private void selfMetadata(ParticipantInfo self) {
        if (!self.getMetadata().equals(selfMetadata)) {
            String metadata = self.getMetadata();
            selfMetadata = metadata;
            emit(l -> l.ownMetadataChanged(metadata));
        }
    }

    private void onLeave(LeaveRequest leave) {
        DisconnectReason r = leave.getReason();
        boolean stop = switch (r) {
            case DUPLICATE_IDENTITY, PARTICIPANT_REMOVED, ROOM_DELETED, ROOM_CLOSED, CLIENT_INITIATED -> true;
            default -> false;
        };
        boolean again = !stop && (leave.getAction() == LeaveRequest.Action.RECONNECT
                || leave.getAction() == LeaveRequest.Action.RESUME || leave.getCanReconnect());
        LOG.info("{}: server sent leave {} action {} canReconnect {}", label, r, leave.getAction(),
                leave.getCanReconnect());
        if (again) {
            rejoin("server asked to reconnect (" + r + ")");
        } else {
            shutdown(ConnectionState.CLOSED, EndReason.CONNECTION_CLOSED,
                    new RoomConnectionException("removed from the room by the server: " + r, null), false);
        }
    }

    private void onOffer(SessionDescription sd) {
        PeerSession p = peer;
        if (p == null) {
            return;
        }
        Sdp offer = Sdp.parse(sd.getSdp());
        midToTrack.putAll(sd.getMidToTrackIdMap());
        for (Sdp.Media m : offer.media()) {
            if (m.mid != null && m.isAudioOrVideo() && !m.isInactive() && !midToTrack.containsKey(m.mid)) {
                m.msidTrackId().ifPresent(t -> midToTrack.put(m.mid, t));
            }
        }
        if (offer.restartsIceComparedTo(lastOffer)) {
            rejoin("offer restarts ICE (webrtcbin 1.22 cannot)");
            return;
        }
        List<String> reused = offer.reusedMids(lastOffer);
        if (!reused.isEmpty()) {
            rejoin("offer reuses transceiver(s) " + reused + " (webrtcbin 1.22 cannot change their direction)");
            return;
        }
        Sdp.FilterResult filtered = offer.filterCodecs(this::preferredCodec);
        filtered.notes().forEach(n -> LOG.debug("{}: offer {}: {}", label, sd.getId(), n));
        String answerText;
        long t0 = System.nanoTime();
        try {
            answerText = p.negotiate(filtered.sdp().toString());
        } catch (PeerSession.NegotiationException e) {
            LOG.debug("{}: offer {} webrtcbin could not apply:\n{}\nmunged:\n{}", label, sd.getId(), sd.getSdp(),
                    filtered.sdp());
            rejoin("webrtcbin could not apply offer " + sd.getId() + ": " + e.getMessage());
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{}: offer {}:\n{}\nmunged:\n{}\nanswer:\n{}", label, sd.getId(), sd.getSdp(),
                    filtered.sdp(), answerText);
        }
        Sdp answer = Sdp.parse(answerText);
        // tell the server every codec we can take, so later tracks of other codecs can be subscribed
        Sdp advertised = answer.withReceivableCodecs(offer);
        if (advertised != answer) {
            answerText = advertised.toString();
            LOG.trace("{}: answer {} as sent:\n{}", label, sd.getId(), answerText);
        }
        if (answer.hasRed()) {
            LOG.warn("{}: answer {} still contains RED", label, sd.getId());
        }
        lastOffer = offer;
        lastAnswer = answer;
        bundleIndex = answer.bundleMasterIndex();
        client.send(SignalRequest.newBuilder().setAnswer(SessionDescription.newBuilder()
                .setType("answer").setSdp(answerText).setId(sd.getId())).build());
        LOG.debug("{}: answered offer {} ({} m-lines) in {} ms", label, sd.getId(), offer.media().size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        answerSent = true;
        for (Object[] c : pendingCandidates) {
            sendCandidate((Integer) c[0], (String) c[1]);
        }
        pendingCandidates.clear();
    }

    /**
     * The codec of the track on an m-line; remembered per mid, so that an m-line whose track is gone is still answered
     * with the codec it was negotiated with (webrtcbin refuses a transceiver whose codec changes).
     */
    private Optional<TrackCodec> preferredCodec(String mid) {
        String sid = midToTrack.get(mid);
        RemoteTrack t = sid == null ? null : roster.tracks().get(sid);
        Optional<TrackCodec> c = t == null ? Optional.empty() : t.supportedCodec();
        if (c.isPresent()) {
            midCodecs.put(mid, c.get());
            return c;
        }
        return Optional.ofNullable(midCodecs.get(mid));
    }

    private void onTrickle(TrickleRequest tr) {
        PeerSession p = peer;
        if (p == null || tr.getTarget() != SignalTarget.SUBSCRIBER) {
            return;
        }
        try {
            JsonNode n = JSON.readTree(tr.getCandidateInit());
            String cand = n.path("candidate").asText("");
            if (cand.isEmpty()) {
                return;
            }
            LOG.trace("{}: remote candidate {}", label, cand);
            p.addRemoteCandidate(bundleIndex, cand);
        } catch (java.io.IOException e) {
            LOG.debug("{}: bad trickle {}: {}", label, tr.getCandidateInit(), e.getMessage());
        }
    }

    private void sendCandidate(int mline, String candidate) {
        SignalClient c = client;
        if (c == null) {
            return;
        }
        String mid = "";
        if (lastAnswer != null && mline >= 0 && mline < lastAnswer.media().size()
                && lastAnswer.media().get(mline).mid != null) {
            mid = lastAnswer.media().get(mline).mid;
        }
        LOG.trace("{}: local candidate m-line {}: {}", label, mline, candidate);
        ObjectNode init = JSON.createObjectNode();
        init.put("candidate", candidate);
        init.put("sdpMid", mid);
        init.put("sdpMLineIndex", mline);
        c.send(SignalRequest.newBuilder().setTrickle(TrickleRequest.newBuilder()
                .setCandidateInit(init.toString()).setTarget(SignalTarget.SUBSCRIBER)).build());
    }

    /**
     * Asks the SFU for the simulcast layer that suits showing a subscribed video at this size, as adaptive-stream
     * clients do (it forwards the smallest layer at least this large, switching at a keyframe).
     */
    public void requestVideoSize(String trackSid, int width, int height) {
        SignalClient c = client;
        if (c == null) {
            return;
        }
        c.send(SignalRequest.newBuilder().setTrackSetting(UpdateTrackSettings.newBuilder()
                .addTrackSids(trackSid).setWidth(width).setHeight(height)).build());
    }

    private void sendSubscription(Collection<Subscription> subs, boolean subscribe) {
        SignalClient c = client;
        if (c == null || subs.isEmpty()) {
            return;
        }
        UpdateSubscription.Builder b = UpdateSubscription.newBuilder().setSubscribe(subscribe);
        Map<String, ParticipantTracks.Builder> byParticipant = new LinkedHashMap<>();
        for (Subscription s : subs) {
            b.addTrackSids(s.trackSid);
            byParticipant.computeIfAbsent(s.participantSid,
                    k -> ParticipantTracks.newBuilder().setParticipantSid(k)).addTrackSids(s.trackSid);
        }
        byParticipant.values().forEach(b::addParticipantTracks);
        c.send(SignalRequest.newBuilder().setSubscription(b).build());
    }

    private void startPing() {
        if (pingTask != null) {
            pingTask.cancel(false);
        }
        SignalClient c = client;
        pingTask = signal.scheduleAtFixedRate(() -> {
            if (client != c || closing) {
                return;
            }
            long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastMessageNanos);
            if (silentMs > pingTimeoutMs) {
                rejoin("ping timeout: nothing from the server for " + silentMs + " ms");
                return;
            }
            c.send(SignalRequest.newBuilder().setPingReq(Ping.newBuilder()
                    .setTimestamp(System.currentTimeMillis()).setRtt(Math.max(0, lastRttMs))).build());
        }, 0, Math.min(pingIntervalMs, Math.max(250, pingTimeoutMs / 2)), TimeUnit.MILLISECONDS);
    }

    // =================================================================== participants and tracks (signal thread)

    /** What the connection does about the roster's changes: tell the listeners, end gone tracks' subscriptions. */
    private final class RosterChanges implements Roster.Changes {
        @Override
        public void participantJoined(RemoteParticipant p) {
            emit(l -> l.participantJoined(p));
        }

        @Override
        public void participantLeft(RemoteParticipant p) {
            emit(l -> l.participantLeft(p));
        }

        @Override
        public void trackPublished(RemoteTrack t) {
            emit(l -> l.trackPublished(t));
        }

        @Override
        public void trackMuteChanged(RemoteTrack t) {
            emit(l -> {
                if (t.muted()) {
                    l.trackMuted(t);
                } else {
                    l.trackUnmuted(t);
                }
            });
        }

        @Override
        public void trackGone(RemoteTrack t, EndReason reason) {
            emit(l -> l.trackUnpublished(t));
            Subscription s = subscriptions.get(t.sid());
            if (s != null) {
                endSubscription(s, reason, reason == EndReason.UNPUBLISHED ? "track unpublished" : "participant left");
            }
        }
    }

    private void endSubscription(Subscription s, EndReason reason, String why) {
        subscriptions.remove(s.trackSid, s);
        s.cancelled = true;
        SubscribedTrack t = s.track;
        if (t != null) {
            t.end(reason);
        } else {
            completeExceptionally(s.future, new RoomConnectionException("subscription to " + s.trackSid
                    + " ended before media arrived: " + why, null));
        }
    }

    private void completeExceptionally(CompletableFuture<SubscribedTrack> f, Throwable e) {
        try {
            events.execute(() -> f.completeExceptionally(e));
        } catch (java.util.concurrent.RejectedExecutionException x) {
            f.completeExceptionally(e);
        }
    }

    /** The join's participant bookkeeping, run once on made-up data by a spare handler ({@link Roster#warmUp()}). */
    public static void warmUp() {
        Roster.warmUp();
    }

    /**
     * webrtcbin ended a track's stream by itself (RTCP BYE, m-line made inactive); its valve is already closed. The
     * participant update saying why usually follows within milliseconds; if none does, end it as unpublished.
     */
    void upstreamEnded(SubscribedTrack track) {
        try {
            signal.schedule(() -> {
                Subscription s = subscriptions.get(track.info().sid());
                if (s != null && s.track == track && !track.isEnded()) {
                    endSubscription(s, EndReason.UNPUBLISHED, "stream ended by the server");
                } else if (!track.isEnded() && (s == null || s.track != track)) {
                    track.end(EndReason.UNPUBLISHED);
                }
            }, 2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing anyway
        }
    }

    /** Ends and unsubscribes (SubscribedTrack.unsubscribe). */
    void unsubscribe(SubscribedTrack track) {
        execute(() -> {
            Subscription s = subscriptions.get(track.info().sid());
            if (s != null && s.track == track) {
                endSubscription(s, EndReason.UNSUBSCRIBED, "unsubscribed");
                if (state == ConnectionState.CONNECTED) {
                    sendSubscription(List.of(s), false);
                }
            } else {
                track.end(EndReason.UNSUBSCRIBED);
            }
        });
    }

    // =================================================================== webrtcbin events

    private final class PeerEvents implements PeerSession.Events {
        @Override
        public void iceCandidate(PeerSession p, int mlineIndex, String candidate) {
            execute(() -> {
                if (p != peer) {
                    return;
                }
                if (!answerSent) {
                    pendingCandidates.add(new Object[] {mlineIndex, candidate});
                } else {
                    sendCandidate(mlineIndex, candidate);
                }
            });
        }

        @Override
        public void stateChanged(PeerSession p) {
            execute(() -> onPeerState(p));
        }

        /** Streaming thread: link now, decide everything from concurrent state. */
        @Override
        public void padAdded(PeerSession p, Pad pad) {
            handlePad(p, pad);
        }
    }

    private void onPeerState(PeerSession p) {
        if (p != peer || closing) {
            return;
        }
        WebRTCPeerConnectionState s = p.connectionState();
        LOG.debug("{}: peer connection {} (ice {})", label, s, p.iceConnectionState());
        switch (s) {
            case CONNECTED -> {
                if (peerConnectedNanos == 0) {
                    peerConnectedNanos = System.nanoTime();
                    LOG.info("{}: peer connection established {} ms after connect", label, peerConnectedMillis());
                }
                rejoinAttempts = 0;
                if (disconnectedCheck != null) {
                    disconnectedCheck.cancel(false);
                }
            }
            case FAILED -> rejoin("peer connection failed");
            case DISCONNECTED -> {
                if (disconnectedCheck != null) {
                    disconnectedCheck.cancel(false);
                }
                disconnectedCheck = signal.schedule(() -> {
                    if (p == peer && p.connectionState() != WebRTCPeerConnectionState.CONNECTED) {
                        rejoin("peer connection disconnected for " + DISCONNECTED_GRACE.toSeconds() + " s");
                    }
                }, DISCONNECTED_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            default -> {
                // NEW, CONNECTING, CLOSED: nothing to do
            }
        }
    }

    /** pad-added on a GStreamer streaming thread: map the pad to its track and link it before returning. */
    private void handlePad(PeerSession p, Pad pad) {
        String mid = null;
        String msid = null;
        TrackCodec codec = null;
        String encoding = "?";
        try {
            mid = GstNatives.stringOfObjectProperty(pad, "transceiver", "mid");
            msid = GstNatives.stringProperty(pad, "msid");
        } catch (RuntimeException e) {
            LOG.debug("{}: pad {} properties: {}", label, pad.getName(), e.toString());
        }
        Caps caps = pad.getCurrentCaps();
        if (caps != null) {
            if (caps.size() > 0) {
                Structure st = caps.getStructure(0);
                if (st.hasField("encoding-name")) {
                    encoding = st.getString("encoding-name");
                    codec = TrackCodec.fromEncodingName(encoding).orElse(null);
                }
            }
            caps.dispose();
        }
        String trackSid = mid == null ? null : midToTrack.get(mid);
        if (trackSid == null && msid != null && msid.contains("|")) {
            trackSid = msid.substring(msid.indexOf('|') + 1);
        }
        Subscription s = trackSid == null ? null : subscriptions.get(trackSid);
        LOG.info("{}: pad {} mid={} msid={} {} -> track {}{}", label, pad.getName(), mid, msid, encoding, trackSid,
                s == null ? " (not subscribed)" : "");
        if (s == null || s.cancelled || codec == null) {
            if (s != null && codec == null) {
                String enc = encoding;
                execute(() -> {
                    endSubscription(s, EndReason.UNSUBSCRIBED, "codec " + enc + " cannot be depayloaded");
                });
            }
            linkToFakesink(p, pad);
            return;
        }
        synchronized (s) {
            SubscribedTrack t = s.track;
            boolean first = t == null;
            if (first) {
                RemoteTrack info = roster.tracks().get(s.trackSid);
                if (info == null) {
                    linkToFakesink(p, pad);
                    return;
                }
                t = new SubscribedTrack(this, info, codec, events, dataOps, signal, s.requestedNanos);
                pipeline.add(t.element());
                t.element().syncStateWithParent();
            } else if (t.codec() != codec) {
                LOG.warn("{}: track {} switched codec {} -> {}; keeping the first, dropping this pad", label,
                        s.trackSid, t.codec(), codec);
                linkToFakesink(p, pad);
                return;
            } else if (t.upstream() != null && t.upstream() != pad && !p.isDisposed()
                    && isPadOf(p, t.upstream())) {
                LOG.warn("{}: second pad {} for track {} (new SSRC?); dropping it", label, pad.getName(),
                        s.trackSid);
                linkToFakesink(p, pad);
                return;
            }
            try {
                t.attach(pad);
            } catch (PadLinkException e) {
                LOG.warn("{}: cannot link {} to track {}: {}", label, pad.getName(), s.trackSid, e.getLinkResult());
                linkToFakesink(p, pad);
                return;
            }
            s.track = t;
            SubscribedTrack track = t;
            if (first) {
                LOG.info("{}: track {} ({}) of {} flowing {} ms after subscribe", label, s.trackSid, codec,
                        track.info().participantIdentity(),
                        TimeUnit.NANOSECONDS.toMillis(track.subscribeToFirstMediaNanos()));
                events.execute(() -> s.future.complete(track));
            } else if (codec.isVideo()) {
                // re-attached after a rejoin: the consumer's decoder needs a fresh keyframe
                dataOps.execute(track::reattached);
            }
        }
    }

    private static boolean isInside(GstObject source, PeerSession p) {
        String name = p.webrtc.getName();
        GstObject o = source;
        for (int depth = 0; o != null && depth < 16; depth++) {
            if (name.equals(o.getName())) {
                return true;
            }
            o = o.getParent();
        }
        return false;
    }

    private static boolean isPadOf(PeerSession p, Pad pad) {
        Element parent = pad.getParentElement();
        return parent != null && parent.getName().equals(p.webrtc.getName());
    }

    /**
     * Unwanted or unmappable streams must still be linked: webrtcbin's not-linked error would kill the pipeline.
     * The sink is a dropping valve, not a fakesink: a fakesink answers EOS after the stream's EOS, and any flow
     * error on one pad stops the BUNDLE transport every track shares.
     */
    private void linkToFakesink(PeerSession p, Pad pad) {
        Element sink = ElementFactory.make("valve", null);
        sink.set("drop", true);
        pipeline.add(sink);
        sink.syncStateWithParent();
        p.ownExtra(sink);
        try {
            pad.link(sink.getStaticPad("sink"));
        } catch (PadLinkException e) {
            LOG.warn("{}: cannot link {} to a fakesink: {}", label, pad.getName(), e.getLinkResult());
        }
    }
}
