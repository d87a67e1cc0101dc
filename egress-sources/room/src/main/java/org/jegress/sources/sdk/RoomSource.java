package org.jegress.sources.sdk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.MediaType;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.RequestType;
import org.jegress.api.plan.TrackSelection;
import org.jegress.api.plan.VideoPlan;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.gst.ZeroBasedTime;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.RecordingInputs;
import org.jegress.pipeline.spi.SourceContext;
import org.jegress.sources.room.ConnectionState;
import org.jegress.sources.room.RemoteParticipant;
import org.jegress.sources.room.RemoteTrack;
import org.jegress.sources.room.RoomConnection;
import org.jegress.sources.room.RoomConnectionException;
import org.jegress.sources.room.RoomListener;
import org.jegress.sources.room.RoomOptions;
import org.jegress.sources.room.SubscribedTrack;
import org.jegress.sources.room.TrackCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LiveKit room as a media source: joins as a hidden recorder ({@link RoomConnection}, webrtcbin in its own
 * pipeline, which the recording joins), subscribes to the tracks {@link TrackRules} selects, as they are published,
 * and feeds each into the recording: still encoded for a track egress (a PCMU/PCMA track re-encoded to Opus),
 * otherwise decoded into the compositor and mixer, whose black and silence fill whatever the tracks do not cover.
 *
 * <p>Start: the first media of any recorded track. End: the recorded tracks ended (track, track composite,
 * passthrough), the participant left (participant), or the room closed (every type); a connection lost for good ends
 * the recording early with "recording ended early: connection to room failed", keeping what was recorded.
 * Waits for the requested participant and tracks up to {@value #WAIT_SECONDS} s ("participant X not found",
 * "track X not found").
 *
 * <p>Threading: room events arrive on the connection's event thread, one at a time; {@link #attach} and
 * {@link #endMedia} come from the egress thread. Feeds are guarded by {@code lock}.
 */
final class RoomSource implements MediaSource, RoomListener {

    private static final Logger LOG = LoggerFactory.getLogger(RoomSource.class);
    static final int WAIT_SECONDS = 30;
    private static final Duration POLL = Duration.ofMillis(100);

    /** One recorded track. */
    private static final class Feed {
        final RemoteTrack info;
        final AudioChannel channel;
        volatile SubscribedTrack track;
        Bin branch;
        Pad input;
        /** Logs the first buffer's timing once (then removes itself); held so JNA keeps it. */
        Pad.PROBE firstBuffer;
        /** For a remux: keeps the file's time starting at zero (and its probe callback alive). */
        ZeroBasedTime zero;
        boolean ended;

        Feed(RemoteTrack info, AudioChannel channel) {
            this.info = info;
            this.channel = channel;
        }
    }

    private final EgressPlan plan;
    private final SourceContext context;
    private final TrackRules rules;
    private final boolean remux;
    /** The layout of a room composite drawn in the pipeline; null for every other request. */
    private final Stage stage;
    private final CompletableFuture<Void> start = new CompletableFuture<>();
    private final CompletableFuture<Void> end = new CompletableFuture<>();
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile RoomConnection room;
    /** The pipeline the connection joins, made before it when the recording can be built meanwhile; else null. */
    private final Pipeline early;
    private RecordingInputs inputs;
    private boolean ending;
    private int branches;
    private volatile boolean closed;

    RoomSource(EgressPlan plan, SourceContext context) {
        this.plan = plan;
        this.context = context;
        this.rules = new TrackRules(plan);
        this.remux = plan.remuxes();
        boolean composite = plan.composesRoom();
        this.stage = composite && plan.video() != null && plan.video().enabled()
                ? new Stage(plan.egressId(), plan.tracks().layout(), plan.video().width(), plan.video().height(),
                        this::requestVideoSize)
                : null;
        // A room composite's outputs depend on no track (no {track_id}, no publisher): its encoders and outputs can
        // be built into the pipeline while the recorder joins, instead of after.
        this.early = composite && !remux ? playingPipeline(plan.egressId()) : null;
    }

    private static Pipeline playingPipeline(String name) {
        GstRuntime.ensureInitialized();
        Pipeline p = new Pipeline(name);
        p.play();
        return p;
    }

    // ------------------------------------------------------------------------------------------- prepare

    @Override
    public void prepare() throws InterruptedException {
        GstRuntime.ensureInitialized();
        RoomOptions options = RoomOptions.builder(plan.room().wsUrl(), null, null)
                .room(plan.room().roomName())
                .identity(plan.egressId())
                .token(plan.room().token())
                .build();
        try {
            room = RoomConnection.connect(options, early, this);
        } catch (RoomConnectionException e) {
            throw new EgressException(org.jegress.api.error.ErrorCode.UNAVAILABLE,
                    "failed to join room " + plan.room().roomName() + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(WAIT_SECONDS).toNanos();
        TrackSelection sel = plan.tracks();
        for (String identity : requiredParticipants(sel)) {
            awaitParticipant(identity, deadline);
        }
        for (String trackId : requiredTracks(sel)) {
            RemoteTrack t = awaitTrack(trackId, deadline);
            check(t);
        }
        // Tracks published before the join were reported to the listener already; going over them again covers
        // those that arrived before a participant or track we waited for (subscribing twice is harmless).
        for (RemoteTrack t : room.tracks().values()) {
            consider(t);
        }
        LOG.info("{}: joined room {} in {} ms; recording {}", plan.egressId(), plan.room().roomName(),
                room.joinMillis(), feeds.keySet());
        boolean publishing;
        synchronized (lock) {
            publishing = !feeds.isEmpty();
        }
        if (stage != null && publishing) {
            // A layout drawn here starts as the templates start: once someone publishes, not once their media came.
            // The canvas and the mix run meanwhile; each track joins them on its first media, as a late joiner does.
            start.complete(null);
        }
    }

    private static Set<String> requiredParticipants(TrackSelection sel) {
        Set<String> ids = new LinkedHashSet<>();
        if (!sel.identity().isEmpty()) {
            ids.add(sel.identity());
        }
        for (TrackSelection.AudioRoute r : sel.audioRoutes()) {
            if (!r.participantIdentity().isEmpty()) {
                ids.add(r.participantIdentity());
            }
        }
        return ids;
    }

    private static Set<String> requiredTracks(TrackSelection sel) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : List.of(sel.trackId(), sel.audioTrackId(), sel.videoTrackId())) {
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        for (TrackSelection.AudioRoute r : sel.audioRoutes()) {
            if (!r.trackId().isEmpty()) {
                ids.add(r.trackId());
            }
        }
        return ids;
    }

    private void awaitParticipant(String identity, long deadline) throws InterruptedException {
        await(() -> room.participants().stream().anyMatch(p -> p.identity().equals(identity)), deadline,
                () -> EgressException.participantNotFound(identity));
    }

    private RemoteTrack awaitTrack(String trackId, long deadline) throws InterruptedException {
        await(() -> room.track(trackId).isPresent(), deadline, () -> EgressException.trackNotFound(trackId));
        return room.track(trackId).orElseThrow(() -> EgressException.trackNotFound(trackId));
    }

    private void await(java.util.function.BooleanSupplier condition, long deadline,
            java.util.function.Supplier<EgressException> timeout) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (room.state().isFinal()) {
                throw EgressException.roomConnectionFailed();
            }
            if (System.nanoTime() > deadline) {
                throw timeout.get();
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Refuses a requested track that cannot be recorded as asked. */
    private void check(RemoteTrack t) {
        TrackSelection sel = plan.tracks();
        if (t.sid().equals(sel.audioTrackId()) && t.isVideo()) {
            throw EgressException.invalidInput("audio_track_id");
        }
        if (t.sid().equals(sel.videoTrackId()) && !t.isVideo()) {
            throw EgressException.invalidInput("video_track_id");
        }
        Optional<TrackCodec> codec = t.supportedCodec();
        if (codec.isEmpty()) {
            throw EgressException.notSupported(t.mimeType());
        }
        if (plan.webSocket().isPresent() && t.isVideo()) {
            throw EgressException.incompatible("websocket", codec.get().mimeType());
        }
    }

    // ------------------------------------------------------------------------------------------- room events

    @Override
    public void trackPublished(RemoteTrack track) {
        consider(track);
    }

    @Override
    public void trackMuted(RemoteTrack track) {
        if (feeds.containsKey(track.sid())) {
            context.listener().trackMuted(track.sid(), true);
        }
    }

    @Override
    public void trackUnmuted(RemoteTrack track) {
        Feed f = feeds.get(track.sid());
        if (f != null) {
            context.listener().trackMuted(track.sid(), false);
            SubscribedTrack st = f.track;
            if (st != null) {
                // decoding resumes from a keyframe: ask until one comes (the SFU resumes forwarding a moment later)
                st.awaitKeyframe();
            }
        }
    }

    private void requestVideoSize(String trackSid, int width, int height) {
        RoomConnection rc = room;
        if (rc != null) {
            rc.requestVideoSize(trackSid, width, height);
        }
    }

    @Override
    public void activeSpeakersChanged(List<String> identities) {
        if (stage != null) {
            stage.speakers(identities);
        }
    }

    @Override
    public void ownMetadataChanged(String metadata) {
        if (stage != null) {
            stage.metadata(metadata);
        }
    }

    @Override
    public void participantLeft(RemoteParticipant participant) {
        if (plan.requestType() == RequestType.PARTICIPANT && participant.identity().equals(plan.tracks().identity())) {
            LOG.info("{}: participant {} left", plan.egressId(), participant.identity());
            end.complete(null);
        }
    }

    @Override
    public void connectionStateChanged(ConnectionState state, Throwable cause) {
        if (state == ConnectionState.FAILED) {
            LOG.warn("{}: connection to the room failed: {}", plan.egressId(), String.valueOf(cause));
            end.completeExceptionally(EgressException.roomConnectionFailed());
        } else if (state == ConnectionState.CLOSED && !closed) {
            LOG.info("{}: the room connection closed ({})", plan.egressId(), String.valueOf(cause));
            end.complete(null);
        }
    }

    /** Subscribes to a track the rules want, once. */
    private void consider(RemoteTrack t) {
        RoomConnection rc = room;
        if (rc == null || closed) {
            return;
        }
        Feed f;
        synchronized (lock) {
            if (ending || feeds.containsKey(t.sid()) || t.supportedCodec().isEmpty()) {
                return;
            }
            Optional<AudioChannel> channel = rules.want(t);
            if (channel.isEmpty()) {
                return;
            }
            if (plan.webSocket().isPresent() && t.isVideo()) {
                return;
            }
            f = new Feed(t, channel.get());
            feeds.put(t.sid(), f);
        }
        LOG.info("{}: subscribing to {} {} of {} ({})", plan.egressId(), t.kind(), t.sid(), t.participantIdentity(),
                f.channel);
        rc.subscribe(t.sid()).whenComplete((track, error) -> subscribed(f, track, error));
    }

    private void subscribed(Feed f, SubscribedTrack track, Throwable error) {
        if (error != null) {
            LOG.warn("{}: subscription to {} failed: {}", plan.egressId(), f.info.sid(), error.toString());
            synchronized (lock) {
                f.ended = true;
            }
            if (rules.endsWithItsTracks()) {
                checkTracksEnded();
            }
            return;
        }
        synchronized (lock) {
            f.track = track;
            if (ending || closed) {
                track.endStream();
                return;
            }
            if (inputs != null) {
                try {
                    connect(f);
                } catch (RuntimeException e) {
                    LOG.warn("{}: cannot record track {}: {}", plan.egressId(), f.info.sid(), e.toString());
                    end.completeExceptionally(e);
                    return;
                }
            }
        }
        track.ended().thenAccept(reason -> trackEnded(f, reason));
        start.complete(null);
    }

    private void trackEnded(Feed f, org.jegress.sources.room.EndReason reason) {
        LOG.info("{}: track {} ended ({})", plan.egressId(), f.info.sid(), reason);
        synchronized (lock) {
            f.ended = true;
            // The track's bin sent EOS through the branch; a decoded input is detached so the mixer does not wait
            // for it. (A passthrough input is the output itself: its EOS finalises the file.)
            if (!remux && f.branch != null && !ending && !closed) {
                disconnect(f);
            }
            if (f.info.sid() != null) {
                feeds.remove(f.info.sid(), f);
            }
        }
        if (rules.endsWithItsTracks()) {
            checkTracksEnded();
        }
    }

    private void checkTracksEnded() {
        synchronized (lock) {
            if (!feeds.values().stream().allMatch(x -> x.ended)) {
                return;
            }
        }
        LOG.info("{}: every recorded track ended", plan.egressId());
        end.complete(null);
    }

    // ------------------------------------------------------------------------------------------- recording

    @Override
    public boolean ownsPipeline() {
        return true;
    }

    @Override
    public Pipeline pipeline() {
        return early != null ? early : room.pipeline();
    }

    @Override
    public boolean pipelineBeforePrepare() {
        return early != null;
    }

    @Override
    public boolean handlesErrorsOf(GstObject element) {
        RoomConnection rc = room;
        return rc != null && rc.ownsMessageSource(element);
    }

    @Override
    public EgressPlan resolve(EgressPlan p) {
        Map<String, String> replacements = new HashMap<>();
        TrackSelection sel = p.tracks();
        String publisher = "";
        for (String id : List.of(sel.videoTrackId(), sel.audioTrackId(), sel.trackId())) {
            Optional<RemoteTrack> t = id.isEmpty() ? Optional.empty() : room.track(id);
            if (t.isPresent()) {
                publisher = t.get().participantIdentity();
                break;
            }
        }
        if (publisher.isEmpty() && !sel.identity().isEmpty()) {
            publisher = sel.identity();
        }
        if (!publisher.isEmpty()) {
            replacements.put("{publisher_identity}", publisher);
        }
        if (!p.passthrough()) {
            return p.withTracks(null, replacements, p.audio(), p.video());
        }
        RemoteTrack t = room.track(sel.trackId()).orElseThrow(() -> EgressException.trackNotFound(sel.trackId()));
        TrackCodec codec = t.supportedCodec().orElseThrow(() -> EgressException.notSupported(t.mimeType()));
        replacements.put("{track_id}", t.sid());
        replacements.put("{track_type}", t.isVideo() ? "video" : "audio");
        replacements.put("{track_source}", TrackRules.sourceName(t));
        AudioPlan a = p.audio();
        VideoPlan v = p.video();
        if (p.webSocket().isPresent()) {
            // decoded, mixed onto silence, sent raw
            a = new AudioPlan(true, true, MediaType.RAW_AUDIO, a.bitrateKbps(), a.frequency(), a.mixing());
            return p.withTracks(null, replacements, a, disabled(v));
        }
        MediaType type = TrackRules.mediaType(codec);
        OutputType container = OutputType.forTrackCodec(type).orElseThrow();
        if (t.isVideo()) {
            v = new VideoPlan(true, false, false, type, v.profile(), t.width() > 0 ? t.width() : v.width(),
                    t.height() > 0 ? t.height() : v.height(), v.depth(), v.framerate(), v.bitrateKbps(),
                    v.keyFrameIntervalSec());
            a = new AudioPlan(false, false, null, a.bitrateKbps(), a.frequency(), a.mixing());
        } else {
            // PCMU/PCMA are decoded and re-encoded to Opus on the way in
            boolean g711 = type == MediaType.PCMU || type == MediaType.PCMA;
            a = new AudioPlan(true, g711, MediaType.OPUS, a.bitrateKbps(), a.frequency(), a.mixing());
            v = disabled(v);
        }
        return p.withTracks(container, replacements, a, v);
    }

    private static VideoPlan disabled(VideoPlan v) {
        return new VideoPlan(false, false, false, null, v.profile(), v.width(), v.height(), v.depth(), v.framerate(),
                v.bitrateKbps(), v.keyFrameIntervalSec());
    }

    @Override
    public CompletableFuture<Void> startSignal() {
        return start;
    }

    @Override
    public CompletableFuture<Void> endSignal() {
        return end;
    }

    @Override
    public void attach(RecordingInputs recording) {
        synchronized (lock) {
            inputs = recording;
            if (stage != null) {
                stage.attach(recording);
            }
            for (Feed f : feeds.values()) {
                if (f.track != null && f.branch == null && !f.ended) {
                    connect(f);
                }
            }
        }
    }

    /** Feeds one track into the recording: a decoder (or, for a track egress, nothing) between it and its input. */
    private void connect(Feed f) {
        SubscribedTrack track = f.track;
        String description = branchFor(track.codec());
        Pad target;
        if (remux) {
            target = inputs.passthroughInput(track.codec().isVideo() ? "video" : "audio");
        } else if (track.codec().isVideo()) {
            target = stage != null ? stage.add(f.info).input() : inputs.videoInput();
        } else {
            target = inputs.audioInput(f.channel);
        }
        Bin branch = Gst.parseBinFromDescription(description, true);
        branch.setName("feed_" + branches++ + "_" + f.info.sid());
        Pipeline pipeline = inputs.pipeline();
        pipeline.add(branch);
        try {
            track.src().link(branch.getStaticPad("sink"));
            branch.getStaticPad("src").link(target);
        } catch (PadLinkException e) {
            pipeline.remove(branch);
            throw EgressException.internal("failed to link track " + f.info.sid() + ": " + e.getLinkResult(), e);
        }
        if (remux) {
            // the muxer writes timestamps as they come: start the file at zero, not at the connection's age
            f.zero = ZeroBasedTime.on(branch.getStaticPad("src"));
        }
        f.firstBuffer = (pad, info) -> {
            if (LOG.isDebugEnabled()) {
                // streaming thread: read the buffer only (asking the pipeline for its clock takes its lock)
                org.freedesktop.gstreamer.Buffer b = info.getBuffer();
                LOG.debug("{}: first buffer of {} into the recording: pts {} ms", plan.egressId(), f.info.sid(),
                        b == null ? -1 : b.getPresentationTimestamp() / 1_000_000);
            }
            return org.freedesktop.gstreamer.PadProbeReturn.REMOVE;
        };
        branch.getStaticPad("src").addProbe(org.freedesktop.gstreamer.PadProbeType.BUFFER, f.firstBuffer);
        branch.syncStateWithParent();
        f.branch = branch;
        f.input = target;
        track.start();
        LOG.info("{}: recording {} ({}) through {}", plan.egressId(), f.info.sid(), track.codec(), description);
    }

    /** What sits between a track and its input: passthrough needs (almost) nothing, composites decode. */
    private String branchFor(TrackCodec codec) {
        if (remux) {
            switch (codec) {
                case PCMU:
                    return "mulawdec ! " + opus();
                case PCMA:
                    return "alawdec ! " + opus();
                default:
                    return "identity silent=true";
            }
        }
        switch (codec) {
            case OPUS:
                return "opusdec plc=true";
            case PCMU:
                return "mulawdec";
            case PCMA:
                return "alawdec";
            case H264:
                return "h264parse ! avdec_h264";
            case VP8:
                return "vp8dec";
            case VP9:
                return "vp9dec";
            default:
                throw EgressException.notSupported(codec.mimeType());
        }
    }

    private String opus() {
        return "audioconvert ! audioresample ! audio/x-raw,rate=48000 ! opusenc bitrate="
                + plan.audio().bitrateKbps() * 1000 + " ! opusparse";
    }

    /** Detaches an ended track's branch and input (its EOS has passed). */
    private void disconnect(Feed f) {
        Bin branch = f.branch;
        f.branch = null;
        SubscribedTrack track = f.track;
        if (track != null) {
            Pad peer = track.src().getPeer();
            if (peer != null) {
                track.src().unlink(peer);
            }
        }
        branch.setState(State.NULL);
        inputs.pipeline().remove(branch);
        inputs.release(f.input);
        if (stage != null && f.info.isVideo()) {
            stage.remove(f.info.sid());
        }
    }

    @Override
    public void endMedia() {
        List<SubscribedTrack> live = new ArrayList<>();
        synchronized (lock) {
            ending = true;
            for (Feed f : feeds.values()) {
                if (f.track != null && !f.ended) {
                    live.add(f.track);
                }
            }
        }
        live.forEach(SubscribedTrack::endStream);
    }

    @Override
    public String describe() {
        String what = switch (plan.requestType()) {
            case TRACK -> "track " + plan.tracks().trackId();
            case TRACK_COMPOSITE -> "tracks " + String.join(" ", nonEmpty(plan.tracks().audioTrackId(),
                    plan.tracks().videoTrackId()));
            case PARTICIPANT -> "participant " + plan.tracks().identity();
            default -> plan.requestType().label();
        };
        return "room " + plan.room().roomName() + " (" + what + ")";
    }

    private static List<String> nonEmpty(String... s) {
        return java.util.Arrays.stream(s).filter(Predicate.not(String::isEmpty)).toList();
    }

    /** Leaves the room: the connection ends every track and disposes of the pipeline, branches included. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RoomConnection rc = room;
        if (rc != null) {
            rc.close();
        }
        if (early != null) {
            early.stop();
            early.dispose();
        }
    }
}
