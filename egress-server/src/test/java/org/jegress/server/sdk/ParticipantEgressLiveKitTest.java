package org.jegress.server.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.testsuite.media.AudioAnalysis;
import org.jegress.testsuite.media.AvMarks;
import org.jegress.testsuite.media.M3u8;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.RtmpServer;
import org.jegress.sources.room.harness.LiveKitEnvironment;
import org.jegress.sources.room.harness.LiveKitExtension;
import org.jegress.sources.room.harness.LiveKitServer;
import org.jegress.sources.room.harness.TestPublisher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Participant egress against a real livekit-server: camera and microphone transcoded into one MP4 that runs on through
 * an unpublish/republish (black and silence in the gap), keeps sound and picture in sync, and ends when the
 * participant leaves. The recorder stays invisible to the participant. Track composite egress (one audio and one video
 * track, named by ID) goes through the same transcoding path.
 */
@Tag("livekit")
@ExtendWith(LiveKitExtension.class)
class ParticipantEgressLiveKitTest {

    @TempDir
    Path dir;
    private RoomEgressFixture egress;

    @BeforeEach
    void setUp(LiveKitEnvironment env) {
        egress = new RoomEgressFixture(env, dir);
    }

    @Test
    void republishGapIsBlackAndSilentAndSoundStaysInSyncWithPicture(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("participant");
        TestPublisher bob = env.publisher(room, "bob");
        TestPublisher.AvTracks first = bob.publishAv("h264");

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setParticipant(
                ParticipantEgressRequest.newBuilder().setRoomName(room).setIdentity("bob")
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("p_{publisher_identity}"))))
                .awaitActive();
        long t0 = System.nanoTime();
        Thread.sleep(4500);
        String egressId = r.handle.egressId();
        assertThat(bob.visibleParticipants()).as("the recorder is hidden").doesNotContain(egressId).isEmpty();
        assertThat(env.server().listParticipants(room)).anySatisfy(p -> {
            assertThat(p.identity()).isEqualTo(egressId);
            assertThat(p.hidden()).isTrue();
            assertThat(p.recorder()).isTrue();
        });

        bob.unpublish(first.audio());
        bob.unpublish(first.video());
        double gapStart = since(t0);
        Thread.sleep(2500);
        bob.publishAv("vp8");
        double gapEnd = since(t0);
        Thread.sleep(6000);
        bob.disconnect();
        double left = since(t0);
        EgressInfo info = r.awaitEnd();

        // the participant leaving ends the egress, which completes what it recorded
        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(info.getDetails()).contains("Source closed");
        assertThat(info.getFileResults(0).getFilename()).isEqualTo("p_bob.mp4");
        assertThat(env.server().listParticipants(room)).extracting(LiveKitServer.ListedParticipant::identity)
                .as("the recorder left the room").doesNotContain(egressId);

        Path file = dir.resolve("p_bob.mp4");
        MediaProbe probe = MediaProbe.of(file);
        assertThat(probe.streams()).extracting(MediaProbe.Stream::codec).containsExactlyInAnyOrder("h264", "aac");
        assertThat(probe.video().orElseThrow().width()).isEqualTo(1280);
        assertThat(probe.duration()).isCloseTo(left, within(1.0));

        AvMarks m = AvMarks.of(file);
        // picture and sound before the gap and after the republish
        assertThat(m.lumaShare(1.0, gapStart - 0.5, v -> v > 60)).as("picture before the gap").isGreaterThan(0.9);
        assertThat(m.lumaShare(gapEnd + 2.0, left - 1.0, v -> v > 60)).as("picture after").isGreaterThan(0.9);
        assertThat(m.levelShare(1.0, gapStart - 0.5, v -> v > -40)).as("sound before the gap").isGreaterThan(0.9);
        assertThat(m.levelShare(gapEnd + 2.0, left - 1.0, v -> v > -40)).as("sound after").isGreaterThan(0.9);
        // the gap: black and silent, the file continuous through it
        assertThat(m.lumaShare(gapStart + 1.0, gapEnd, v -> v < 30)).as("black in the gap").isGreaterThan(0.9);
        assertThat(m.levelShare(gapStart + 1.0, gapEnd, v -> v < -60)).as("silence in the gap").isGreaterThan(0.9);

        List<Double> offsets = AvMarks.offsets(m.flashes(170), m.beeps(-15));
        System.out.println("A/V offsets (beep - flash, s): " + offsets);
        assertThat(offsets).as("marks found").hasSizeGreaterThanOrEqualTo(8);
        assertThat(offsets).as("beep vs flash").allSatisfy(o -> assertThat(Math.abs(o)).isLessThanOrEqualTo(0.1));
    }

    @Test
    void trackCompositeMuxesTheTwoTracksInSyncBlackAndSilentWhileMuted(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("composite");
        TestPublisher carol = env.publisher(room, "carol");
        TestPublisher.AvTracks av = carol.publishAv("vp8");

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setTrackComposite(
                TrackCompositeEgressRequest.newBuilder().setRoomName(room).setAudioTrackId(av.audio())
                        .setVideoTrackId(av.video())
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("tc_{room_name}"))))
                .awaitActive();
        long t0 = System.nanoTime();
        Thread.sleep(5000);
        carol.mute(av.audio(), true);
        carol.mute(av.video(), true);
        double muteStart = since(t0);
        Thread.sleep(3000);
        carol.mute(av.audio(), false);
        carol.mute(av.video(), false);
        double muteEnd = since(t0);
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();
        double recorded = since(t0);

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(info.getFileResults(0).getFilename()).isEqualTo("tc_" + room + ".mp4");
        Path file = dir.resolve("tc_" + room + ".mp4");
        MediaProbe probe = MediaProbe.of(file);
        assertThat(probe.streams()).extracting(MediaProbe.Stream::codec).containsExactlyInAnyOrder("h264", "aac");
        assertThat(probe.video().orElseThrow().width()).isEqualTo(1280);
        assertThat(probe.video().orElseThrow().height()).isEqualTo(720);
        assertThat(probe.duration()).isCloseTo(recorded, within(1.0));
        assertThat(probe.duration()).isCloseTo(info.getFileResults(0).getDuration() / 1e9, within(1.0));

        AvMarks m = AvMarks.of(file);
        assertThat(m.lumaShare(1.0, muteStart - 0.5, v -> v > 60)).as("picture").isGreaterThan(0.9);
        assertThat(m.levelShare(1.0, muteStart - 0.5, v -> v > -40)).as("sound").isGreaterThan(0.9);
        // muted: black and silent (after the last frame's short hold), then picture and sound again
        assertThat(m.lumaShare(muteStart + 1.0, muteEnd, v -> v < 30)).as("black while muted").isGreaterThan(0.9);
        assertThat(m.levelShare(muteStart + 1.0, muteEnd, v -> v < -60)).as("silent while muted")
                .isGreaterThan(0.9);
        assertThat(m.lumaShare(muteEnd + 2.0, recorded - 0.5, v -> v > 60)).as("picture after").isGreaterThan(0.9);
        assertThat(m.levelShare(muteEnd + 2.0, recorded - 0.5, v -> v > -40)).as("sound after").isGreaterThan(0.9);
        List<Double> offsets = AvMarks.offsets(m.flashes(170), m.beeps(-15));
        System.out.println("track composite A/V offsets (beep - flash, s): " + offsets);
        assertThat(offsets).as("marks found").hasSizeGreaterThanOrEqualTo(8);
        assertThat(offsets).as("beep vs flash").allSatisfy(o -> assertThat(Math.abs(o)).isLessThanOrEqualTo(0.1));
    }

    @Test
    void screenShareRecordsTheShareAndItsAudioNotTheCamera(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("screen");
        TestPublisher erin = env.publisher(room, "erin");
        // 4:3 pictures in a 16:9 frame: a quarter of it is black bars. Mean luma of the frame: camera (red, green,
        // blue) about 65, 113, 35; the yellow screen share about 160.
        erin.publishVideo("cam", "vp8");
        erin.publishTone("mic", 440);
        erin.publishScreenShare("screen", "vp8", 255, 255, 0);
        erin.publishScreenShareAudio("screen-audio", 880);

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setParticipant(
                ParticipantEgressRequest.newBuilder().setRoomName(room).setIdentity("erin").setScreenShare(true)
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("share"))))
                .awaitActive();
        long t0 = System.nanoTime();
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();
        double recorded = since(t0);

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        Path file = dir.resolve("share.mp4");
        assertThat(MediaProbe.of(file).streams()).extracting(MediaProbe.Stream::codec)
                .containsExactlyInAnyOrder("h264", "aac");
        assertThat(AvMarks.of(file).lumaShare(1.0, recorded - 0.5, v -> v > 140)).as("the yellow screen share")
                .isGreaterThan(0.9);
        AudioAnalysis a = AudioAnalysis.of(file, 1.0);
        assertThat(a.left().frequency()).as("screen-share audio, not the microphone: %s", a)
                .isCloseTo(880, within(880 * 0.02));
        assertThat(a.left().steadyFraction(880)).as("only that tone: %s", a).isGreaterThan(0.9);
    }

    /** Upstream's Multi/ParticipantComposite, shortened: file, RTMP and HLS from one room encode. */
    @Test
    void participantToAFileAStreamAndSegmentsAtOnce(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("multi");
        TestPublisher frank = env.publisher(room, "frank");
        frank.publishVideo("cam", "vp8");
        frank.publishTone("mic", 523);
        try (RtmpServer rtmp = RtmpServer.start(dir.resolve("nginx"))) {
            RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setParticipant(
                    ParticipantEgressRequest.newBuilder().setRoomName(room).setIdentity("frank")
                            .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("multi/{publisher_identity}"))
                            .addStreamOutputs(StreamOutput.newBuilder().addUrls(rtmp.url("frank")))
                            .addSegmentOutputs(SegmentedFileOutput.newBuilder().setFilenamePrefix("multi/hls/seg")
                                    .setSegmentDuration(2))))
                    .awaitActive();
            Thread.sleep(6000);
            EgressInfo info = r.stopAndWait();
            assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
            assertThat(MediaProbe.of(dir.resolve("multi/frank.mp4")).streams()).extracting(MediaProbe.Stream::codec)
                    .containsExactlyInAnyOrder("h264", "aac");
            Path flv = rtmp.recordings("frank").get(0);
            assertThat(MediaProbe.of(flv).streams()).extracting(MediaProbe.Stream::codec)
                    .containsExactlyInAnyOrder("h264", "aac");
            assertThat(AudioAnalysis.of(flv, 1.0).left().frequency()).isCloseTo(523, within(523 * 0.02));
            M3u8 playlist = M3u8.read(Path.of(info.getSegmentResults(0).getPlaylistLocation()));
            assertThat(playlist.ended()).isTrue();
            assertThat(playlist.entries().size()).isGreaterThanOrEqualTo(2);
            assertThat(MediaProbe.of(Path.of(info.getSegmentResults(0).getPlaylistLocation())).video().orElseThrow()
                    .codec()).isEqualTo("h264");
            assertThat(info.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
        }
    }

    @Test
    void participantWhoNeverPublishesAndLeavesEndsAborted(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("nopublish");
        TestPublisher dave = env.publisher(room, "dave");

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setParticipant(
                ParticipantEgressRequest.newBuilder().setRoomName(room).setIdentity("dave")
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("never"))));
        Thread.sleep(3000);
        assertThat(r.handle.info().getStatus()).as("waiting for media").isEqualTo(EgressStatus.EGRESS_STARTING);
        dave.disconnect();
        EgressInfo info = r.awaitEnd();

        // upstream's ParticipantNoPublish case: ABORTED, nothing recorded
        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_ABORTED);
        assertThat(info.getError()).isEqualTo("Stop called before pipeline could start");
        assertThat(info.getDetails()).isEqualTo("End reason: Source closed");
        assertThat(env.server().listParticipants(room)).extracting(LiveKitServer.ListedParticipant::identity)
                .as("the recorder left the room").doesNotContain(r.handle.egressId());
    }

    private static double since(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
