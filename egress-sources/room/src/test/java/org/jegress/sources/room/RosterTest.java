package org.jegress.sources.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.jegress.sources.room.proto.ParticipantInfo;
import org.jegress.sources.room.proto.SpeakerInfo;
import org.jegress.sources.room.proto.SpeakersChanged;
import org.jegress.sources.room.proto.TrackInfo;
import org.jegress.sources.room.proto.TrackType;
import org.junit.jupiter.api.Test;

/** The participant bookkeeping of a room connection, on made-up server messages. */
class RosterTest {

    private final List<String> seen = new ArrayList<>();
    private final Roster roster = new Roster(new Roster.Changes() {
        @Override
        public void participantJoined(RemoteParticipant p) {
            seen.add("joined " + p.identity());
        }

        @Override
        public void participantLeft(RemoteParticipant p) {
            seen.add("left " + p.identity());
        }

        @Override
        public void trackPublished(RemoteTrack t) {
            seen.add("published " + t.sid());
        }

        @Override
        public void trackMuteChanged(RemoteTrack t) {
            seen.add((t.muted() ? "muted " : "unmuted ") + t.sid());
        }

        @Override
        public void trackGone(RemoteTrack t, EndReason reason) {
            seen.add("gone " + t.sid() + " " + reason);
        }
    });

    private static ParticipantInfo participant(String sid, int version, TrackInfo... tracks) {
        return ParticipantInfo.newBuilder().setSid(sid).setIdentity("id-" + sid).setVersion(version)
                .setState(ParticipantInfo.State.ACTIVE).addAllTracks(List.of(tracks)).build();
    }

    private static TrackInfo video(String sid, boolean muted) {
        return TrackInfo.newBuilder().setSid(sid).setType(TrackType.VIDEO).setMimeType("video/VP8").setMuted(muted)
                .build();
    }

    @Test
    void aJoinDescribesEveryoneButTheRecorder() {
        roster.joined("PA_self", List.of(participant("PA_self", 1), participant("PA_a", 1, video("TR_a", false))));
        assertThat(seen).containsExactly("joined id-PA_a", "published TR_a");
        assertThat(roster.participants()).extracting(RemoteParticipant::identity).containsExactly("id-PA_a");
        assertThat(roster.tracks()).containsOnlyKeys("TR_a");
        assertThat(roster.tracks().get("TR_a").participantSid()).isEqualTo("PA_a");
    }

    @Test
    void updatesApplyInVersionOrderAndReportWhatChanged() {
        roster.joined("PA_self", List.of(participant("PA_a", 2, video("TR_a", false))));
        seen.clear();
        roster.apply(participant("PA_a", 1), false);
        assertThat(seen).as("an older version is ignored").isEmpty();
        roster.apply(participant("PA_a", 3, video("TR_a", true), video("TR_b", false)), false);
        roster.apply(participant("PA_a", 4, video("TR_b", false)), false);
        assertThat(seen).containsExactly("muted TR_a", "published TR_b", "gone TR_a UNPUBLISHED");
        assertThat(roster.tracks()).as("nothing visible before publish").containsOnlyKeys("TR_a");
        roster.publish();
        assertThat(roster.tracks()).containsOnlyKeys("TR_b");
    }

    @Test
    void aParticipantWhoLeavesTakesTheirTracksAlong() {
        roster.joined("PA_self", List.of(participant("PA_a", 1, video("TR_a", false))));
        seen.clear();
        roster.apply(participant("PA_a", 2).toBuilder().setState(ParticipantInfo.State.DISCONNECTED).build(), false);
        roster.publish();
        assertThat(seen).containsExactly("gone TR_a PARTICIPANT_LEFT", "left id-PA_a");
        assertThat(roster.participants()).isEmpty();
    }

    @Test
    void aRejoinReportsWhoLeftMeanwhile() {
        roster.joined("PA_self", List.of(participant("PA_a", 1), participant("PA_b", 1)));
        seen.clear();
        roster.joined("PA_self2", List.of(participant("PA_b", 1)));
        assertThat(seen).containsExactly("left id-PA_a");
        assertThat(roster.participants()).extracting(RemoteParticipant::identity).containsExactly("id-PA_b");
    }

    @Test
    void activeSpeakersAreKeptAcrossUpdatesLoudestFirst() {
        roster.joined("PA_self", List.of(participant("PA_a", 1), participant("PA_b", 1)));
        assertThat(roster.speakersChanged(SpeakersChanged.newBuilder()
                .addSpeakers(SpeakerInfo.newBuilder().setSid("PA_a").setLevel(0.2f).setActive(true))
                .addSpeakers(SpeakerInfo.newBuilder().setSid("PA_b").setLevel(0.7f).setActive(true)).build()))
                .containsExactly("id-PA_b", "id-PA_a");
        assertThat(roster.speakersChanged(SpeakersChanged.newBuilder()
                .addSpeakers(SpeakerInfo.newBuilder().setSid("PA_b").setActive(false)).build()))
                .containsExactly("id-PA_a");
    }
}
