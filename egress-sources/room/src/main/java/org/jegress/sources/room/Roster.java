package org.jegress.sources.room;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jegress.sources.room.proto.JoinResponse;
import org.jegress.sources.room.proto.ParticipantInfo;
import org.jegress.sources.room.proto.SignalResponse;
import org.jegress.sources.room.proto.SimulcastCodecInfo;
import org.jegress.sources.room.proto.SpeakerInfo;
import org.jegress.sources.room.proto.SpeakersChanged;
import org.jegress.sources.room.proto.TrackInfo;
import org.jegress.sources.room.proto.TrackType;

/**
 * The other participants of a room and their tracks, as the server describes them: it applies participant updates
 * (newer versions only, unless a join makes them authoritative), tells what changed, and keeps immutable snapshots
 * for readers on any thread. Everything but the snapshots is touched on the connection's signalling thread only.
 */
final class Roster {

    /** What changed, in the order it happened (signalling thread). */
    interface Changes {
        default void participantJoined(RemoteParticipant p) {
        }

        default void participantLeft(RemoteParticipant p) {
        }

        default void trackPublished(RemoteTrack t) {
        }

        default void trackMuteChanged(RemoteTrack t) {
        }

        /** The track is gone: unpublished, or its participant left. */
        default void trackGone(RemoteTrack t, EndReason reason) {
        }
    }

    private final Changes changes;
    private final Map<String, ParticipantInfo> participants = new LinkedHashMap<>();
    /** Active speakers by participant SID, with their level. */
    private final Map<String, Float> speakers = new HashMap<>();
    private volatile List<RemoteParticipant> participantSnapshot = List.of();
    private volatile Map<String, RemoteTrack> trackSnapshot = Map.of();

    Roster(Changes changes) {
        this.changes = changes;
    }

    /** The participants as of the last {@link #publish()} (any thread). */
    List<RemoteParticipant> participants() {
        return participantSnapshot;
    }

    /** Every published track, by SID, as of the last {@link #publish()} (any thread). */
    Map<String, RemoteTrack> tracks() {
        return trackSnapshot;
    }

    /**
     * A join's participant list replaces what was known: who is no longer in it has left (a rejoin may have missed
     * their departure), everyone in it is applied as authoritative. Then publishes.
     */
    void joined(String selfSid, List<ParticipantInfo> others) {
        Map<String, ParticipantInfo> fresh = new LinkedHashMap<>();
        for (ParticipantInfo pi : others) {
            if (!pi.getSid().equals(selfSid)) {
                fresh.put(pi.getSid(), pi);
            }
        }
        for (ParticipantInfo old : new ArrayList<>(participants.values())) {
            if (!fresh.containsKey(old.getSid())) {
                apply(old.toBuilder().setState(ParticipantInfo.State.DISCONNECTED).build(), true);
            }
        }
        fresh.values().forEach(pi -> apply(pi, true));
        publish();
    }

    /** Applies one participant's description (not the recorder's own); call {@link #publish()} after a batch. */
    void apply(ParticipantInfo pi, boolean authoritative) {
        if (pi.getSid().isEmpty()) {
            return;
        }
        ParticipantInfo old = participants.get(pi.getSid());
        if (old != null && !authoritative && pi.getVersion() < old.getVersion()) {
            return;
        }
        if (pi.getState() == ParticipantInfo.State.DISCONNECTED) {
            if (old == null) {
                return;
            }
            participants.remove(pi.getSid());
            for (TrackInfo t : old.getTracksList()) {
                changes.trackGone(toTrack(old, t), EndReason.PARTICIPANT_LEFT);
            }
            changes.participantLeft(toParticipant(pi));
            return;
        }
        participants.put(pi.getSid(), pi);
        if (old == null) {
            changes.participantJoined(toParticipant(pi));
        }
        Map<String, TrackInfo> before = new HashMap<>();
        if (old != null) {
            old.getTracksList().forEach(t -> before.put(t.getSid(), t));
        }
        for (TrackInfo t : pi.getTracksList()) {
            TrackInfo prev = before.remove(t.getSid());
            if (prev == null) {
                changes.trackPublished(toTrack(pi, t));
            } else if (prev.getMuted() != t.getMuted()) {
                changes.trackMuteChanged(toTrack(pi, t));
            }
        }
        for (TrackInfo gone : before.values()) {
            changes.trackGone(toTrack(old, gone), EndReason.UNPUBLISHED);
        }
    }

    /** Makes what was applied visible to {@link #participants()} and {@link #tracks()}. */
    void publish() {
        List<RemoteParticipant> ps = new ArrayList<>();
        Map<String, RemoteTrack> ts = new LinkedHashMap<>();
        for (ParticipantInfo pi : participants.values()) {
            RemoteParticipant rp = toParticipant(pi);
            ps.add(rp);
            rp.tracks().forEach(t -> ts.put(t.sid(), t));
        }
        participantSnapshot = List.copyOf(ps);
        trackSnapshot = Map.copyOf(ts);
    }

    /**
     * Speaker updates carry the speakers whose state changed; keeps the full set.
     *
     * @return the identities of the active speakers, loudest first
     */
    List<String> speakersChanged(SpeakersChanged changed) {
        for (SpeakerInfo s : changed.getSpeakersList()) {
            if (s.getActive()) {
                speakers.put(s.getSid(), s.getLevel());
            } else {
                speakers.remove(s.getSid());
            }
        }
        return speakers.entrySet().stream()
                .sorted(Map.Entry.<String, Float>comparingByValue().reversed())
                .map(e -> participants.get(e.getKey()))
                .filter(Objects::nonNull)
                .map(ParticipantInfo::getIdentity)
                .toList();
    }

    static RemoteParticipant toParticipant(ParticipantInfo pi) {
        List<RemoteTrack> tracks = new ArrayList<>();
        for (TrackInfo t : pi.getTracksList()) {
            tracks.add(toTrack(pi, t));
        }
        return new RemoteParticipant(pi.getSid(), pi.getIdentity(), pi.getName(), pi.getKind().name(),
                pi.getState().name(), pi.getMetadata(), pi.getAttributesMap(), pi.getVersion(), tracks);
    }

    private static RemoteTrack toTrack(ParticipantInfo pi, TrackInfo t) {
        List<String> mimes = new ArrayList<>();
        if (!t.getMimeType().isEmpty()) {
            mimes.add(t.getMimeType());
        }
        t.getCodecsList().forEach(c -> {
            if (!c.getMimeType().isEmpty() && !mimes.contains(c.getMimeType())) {
                mimes.add(c.getMimeType());
            }
        });
        TrackCodec.MediaKind kind = t.getType() == TrackType.VIDEO ? TrackCodec.MediaKind.VIDEO
                : TrackCodec.MediaKind.AUDIO;
        return new RemoteTrack(t.getSid(), t.getName(), kind, t.getSource().name(), t.getMimeType(), mimes,
                t.getMuted(), t.getWidth(), t.getHeight(), pi.getSid(), pi.getIdentity(), pi.getKind().name());
    }

    /**
     * Runs a join's participant bookkeeping once on made-up data (message parsing, participants and tracks as the
     * listeners see them). A spare handler calls it while it waits: cold, this took 130-140 ms of every join on two
     * busy cores, between webrtcbin's set-up and the connection counting as joined.
     */
    static void warmUp() {
        ParticipantInfo pi = ParticipantInfo.newBuilder().setSid("PA_warmup").setIdentity("warmup")
                .addTracks(TrackInfo.newBuilder().setSid("TR_AMwarmup").setMimeType("audio/opus"))
                .addTracks(TrackInfo.newBuilder().setSid("TR_VCwarmup").setMimeType("video/VP8")
                        .setType(TrackType.VIDEO).setWidth(1280).setHeight(720)
                        .addCodecs(SimulcastCodecInfo.newBuilder().setMimeType("video/VP8")))
                .build();
        try {
            SignalResponse r = SignalResponse.parseFrom(SignalResponse.newBuilder().setJoin(JoinResponse.newBuilder()
                    .setParticipant(pi).addOtherParticipants(pi)).build().toByteArray());
            Roster roster = new Roster(new Changes() {
                @Override
                public void trackPublished(RemoteTrack t) {
                    t.supportedCodec();
                }
            });
            roster.joined("PA_self", r.getJoin().getOtherParticipantsList());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
