package org.jegress.server.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.jegress.api.livekit.AudioConfig;
import org.jegress.api.livekit.AudioRoute;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodingOptionsPreset;
import org.jegress.api.livekit.FileOutput;
import org.jegress.api.livekit.MediaSource;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.StartEgressRequest;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.testsuite.media.AudioAnalysis;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.sources.room.harness.LiveKitEnvironment;
import org.jegress.sources.room.harness.LiveKitExtension;
import org.jegress.sources.room.harness.TestPublisher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Track egress against a real livekit-server and a real rtc-node publisher: each track copied into the container its
 * codec calls for, without transcoding, judged by decoding the file.
 */
@Tag("livekit")
@ExtendWith(LiveKitExtension.class)
class TrackEgressLiveKitTest {

    @TempDir
    Path dir;
    private RoomEgressFixture egress;

    @BeforeEach
    void setUp(LiveKitEnvironment env) {
        egress = new RoomEgressFixture(env, dir);
    }

    private static TrackEgressRequest.Builder track(String room, String sid, String path) {
        return TrackEgressRequest.newBuilder().setRoomName(room).setTrackId(sid)
                .setFile(DirectFileOutput.newBuilder().setFilepath(path));
    }

    @Test
    void opusTrackIsCopiedIntoOgg(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("opus");
        TestPublisher alice = env.publisher(room, "alice");
        String sid = alice.publishTone("mic", 440);

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room)
                .setTrack(track(room, sid, "tracks/{track_source}_{track_type}_{track_id}"))).awaitActive();
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(info.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_SDK);
        String name = "tracks/microphone_audio_" + sid + ".ogg";
        assertThat(info.getFileResults(0).getFilename()).isEqualTo(name);
        assertThat(info.getFile().getFilename()).isEqualTo(name);
        Path file = dir.resolve(name);
        MediaProbe probe = MediaProbe.of(file);
        assertThat(probe.format()).isEqualTo("ogg");
        assertThat(probe.streams()).singleElement().satisfies(s -> {
            assertThat(s.codec()).isEqualTo("opus");
            assertThat(s.sampleRate()).isEqualTo(48_000);
        });
        assertThat(probe.duration()).isCloseTo(5.0, within(1.0));
        AudioAnalysis a = AudioAnalysis.of(file, 0.5);
        assertThat(a.left().frequency()).as("%s", a).isCloseTo(440, within(10.0));
        assertThat(a.left().steadyFraction(440)).as("%s", a).isGreaterThan(0.9);
    }

    @Test
    void h264TrackIsCopiedIntoMp4(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("h264");
        TestPublisher alice = env.publisher(room, "alice");
        String sid = alice.publishVideo("cam", "h264");

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room)
                .setTrack(track(room, sid, "t_{track_id}"))).awaitActive();
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(info.getFileResults(0).getFilename()).isEqualTo("t_" + sid + ".mp4");
        MediaProbe probe = MediaProbe.of(dir.resolve("t_" + sid + ".mp4"));
        assertThat(probe.format()).contains("mp4");
        assertThat(probe.streams()).singleElement().satisfies(s -> {
            assertThat(s.codec()).isEqualTo("h264");
            // the publisher's own bitstream: OpenH264's constrained baseline at the published size (x264, which we
            // would re-encode with, writes main profile at the requested size)
            assertThat(s.profile()).isEqualTo("Constrained Baseline");
            assertThat(s.width()).isEqualTo(320);
            assertThat(s.height()).isEqualTo(240);
            assertThat(s.frames()).isGreaterThan(40);
        });
        assertThat(probe.duration()).isCloseTo(5.0, within(1.0));
    }

    @Test
    void vp8TrackIsCopiedIntoWebm(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("vp8");
        TestPublisher alice = env.publisher(room, "alice");
        String sid = alice.publishVideo("cam", "vp8");

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room)
                .setTrack(track(room, sid, "t_{track_type}"))).awaitActive();
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(info.getFileResults(0).getFilename()).isEqualTo("t_video.webm");
        MediaProbe probe = MediaProbe.of(dir.resolve("t_video.webm"));
        assertThat(probe.format()).contains("webm");
        assertThat(probe.streams()).singleElement().satisfies(s -> {
            assertThat(s.codec()).isEqualTo("vp8");
            assertThat(s.width()).isEqualTo(320);
            assertThat(s.height()).isEqualTo(240);
            assertThat(s.frames()).isGreaterThan(40);
        });
        assertThat(probe.duration()).isCloseTo(5.0, within(1.0));
    }

    @Test
    void v2PassthroughPresetCopiesOneVideoOrOneAudioTrack(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("v2pass");
        TestPublisher alice = env.publisher(room, "alice");
        String video = alice.publishVideo("cam", "vp8");
        String audio = alice.publishTone("mic", 440);

        RoomEgressFixture.Running v = egress.start(RoomEgressFixture.rpc(room).setEgress(StartEgressRequest
                .newBuilder().setRoomName(room).setPreset(EncodingOptionsPreset.PASSTHROUGH)
                .setMedia(MediaSource.newBuilder().setVideoTrackId(video))
                .addOutputs(Output.newBuilder().setFile(FileOutput.newBuilder().setFilepath("v2/{track_id}")))));
        RoomEgressFixture.Running a = egress.start(RoomEgressFixture.rpc(room).setEgress(StartEgressRequest
                .newBuilder().setRoomName(room).setPreset(EncodingOptionsPreset.PASSTHROUGH)
                .setMedia(MediaSource.newBuilder().setAudio(AudioConfig.newBuilder()
                        .addRoutes(AudioRoute.newBuilder().setTrackId(audio))))
                .addOutputs(Output.newBuilder().setFile(FileOutput.newBuilder().setFilepath("v2/{track_id}")))));
        v.awaitActive();
        a.awaitActive();
        Thread.sleep(5000);
        EgressInfo vi = v.stopAndWait();
        EgressInfo ai = a.stopAndWait();

        assertThat(vi.getStatus()).as("%s", vi).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(vi.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_SDK);
        assertThat(vi.getFileResults(0).getFilename()).isEqualTo("v2/" + video + ".webm");
        MediaProbe vp = MediaProbe.of(dir.resolve("v2/" + video + ".webm"));
        assertThat(vp.streams()).singleElement().satisfies(s -> {
            assertThat(s.codec()).isEqualTo("vp8");
            assertThat(s.width()).as("not rescaled").isEqualTo(320);
        });
        assertThat(vp.duration()).isCloseTo(5.0, within(1.0));

        assertThat(ai.getStatus()).as("%s", ai).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(ai.getFileResults(0).getFilename()).isEqualTo("v2/" + audio + ".ogg");
        MediaProbe ap = MediaProbe.of(dir.resolve("v2/" + audio + ".ogg"));
        assertThat(ap.streams()).singleElement().satisfies(s -> assertThat(s.codec()).isEqualTo("opus"));
        assertThat(ap.duration()).isCloseTo(5.0, within(1.0));
    }

    @Test
    void audioTrackToWebSocketAsRawPcmWithMuteNotices(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("ws");
        TestPublisher alice = env.publisher(room, "alice");
        String sid = alice.publishTone("mic", 440);

        try (TestWebSocketServer ws = new TestWebSocketServer()) {
            RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setTrack(TrackEgressRequest
                    .newBuilder().setRoomName(room).setTrackId(sid).setWebsocketUrl(ws.url()))).awaitActive();
            long t0 = System.nanoTime();
            Thread.sleep(2000);
            alice.mute(sid, true);
            Thread.sleep(1000);
            alice.mute(sid, false);
            // past the first keep-alive ping (every 30 s)
            Thread.sleep(Math.max(2000, 31_500 - (System.nanoTime() - t0) / 1_000_000));
            EgressInfo info = r.stopAndWait();
            double seconds = (System.nanoTime() - t0) / 1e9;

            assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
            assertThat(info.getFileResultsCount()).isZero();
            assertThat(info.getStreamResultsList()).singleElement().satisfies(si -> {
                assertThat(si.getUrl()).isEqualTo(ws.url());
                assertThat(si.getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
                assertThat(si.getDuration()).isPositive();
            });
            assertThat(ws.closed().get(10, TimeUnit.SECONDS)).as("close code").isEqualTo(1000);
            assertThat(ws.headers()).containsEntry("content-type", "audio/x-raw");
            assertThat(ws.texts()).containsExactly("{\"muted\":true}", "{\"muted\":false}");
            assertThat(ws.pings()).as("keep-alive pings").containsExactly("ping");
            // S16LE, 48 kHz, stereo: 192000 bytes per second, continuous (silence while muted)
            byte[] pcm = ws.binary();
            assertThat(pcm.length % 4).isZero();
            assertThat(pcm.length / 192_000.0).as("seconds of PCM").isCloseTo(seconds, within(1.0));
            double[] tone = Pcm.tone(pcm, 0.5, 1.5);
            assertThat(tone[0]).as("frequency left").isCloseTo(440, within(10.0));
            assertThat(tone[1]).as("frequency right").isCloseTo(440, within(10.0));
            assertThat(Pcm.rms(pcm, 2.5, 2.9)).as("muted stretch is silent").isLessThan(300);
        }
    }
}
