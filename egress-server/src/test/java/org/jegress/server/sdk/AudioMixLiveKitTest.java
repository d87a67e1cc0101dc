package org.jegress.server.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;

import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.livekit.AudioConfig;
import org.jegress.api.livekit.AudioMixing;
import org.jegress.api.livekit.AudioRoute;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.FileOutput;
import org.jegress.api.livekit.MediaSource;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.StartEgressRequest;
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
 * Room audio mixed without a browser: every participant publishes a tone of its own frequency, and the file's left
 * and right channels are checked for exactly the tones routed there.
 */
@Tag("livekit")
@ExtendWith(LiveKitExtension.class)
class AudioMixLiveKitTest {

    @TempDir
    Path dir;
    private RoomEgressFixture egress;

    @BeforeEach
    void setUp(LiveKitEnvironment env) {
        egress = new RoomEgressFixture(env, dir);
    }

    @Test
    void dualChannelAgentPutsTheAgentLeftAndEveryoneElseRight(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("agent");
        TestPublisher agent = env.publisher(room, "agent-1", "agent");
        agent.publishTone("voice", 440);
        TestPublisher caller = env.publisher(room, "caller", null);
        caller.publishTone("mic", 880);

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setRoomComposite(
                RoomCompositeEgressRequest.newBuilder().setRoomName(room).setAudioOnly(true)
                        .setAudioMixing(AudioMixing.DUAL_CHANNEL_AGENT)
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("agent-mix"))))
                .awaitActive();
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(info.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_SDK);
        assertThat(info.getFileResults(0).getFilename()).isEqualTo("agent-mix.ogg");
        Path file = dir.resolve("agent-mix.ogg");
        assertThat(MediaProbe.of(file).streams()).singleElement().satisfies(s -> {
            assertThat(s.codec()).isEqualTo("opus");
            assertThat(s.channels()).isEqualTo(2);
        });
        assertChannels(file, 440, 880);
    }

    @Test
    void mediaRoutesByIdentityPutEachParticipantOnItsChannel(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("routes");
        TestPublisher alice = env.publisher(room, "alice");
        alice.publishTone("mic", 440);
        TestPublisher bob = env.publisher(room, "bob");
        bob.publishTone("mic", 880);
        TestPublisher carol = env.publisher(room, "carol");
        carol.publishTone("mic", 660);

        StartEgressRequest v2 = StartEgressRequest.newBuilder().setRoomName(room)
                .setMedia(MediaSource.newBuilder().setAudio(AudioConfig.newBuilder()
                        .addRoutes(AudioRoute.newBuilder().setParticipantIdentity("alice")
                                .setChannel(AudioChannel.AUDIO_CHANNEL_LEFT))
                        .addRoutes(AudioRoute.newBuilder().setParticipantIdentity("bob")
                                .setChannel(AudioChannel.AUDIO_CHANNEL_RIGHT))))
                .addOutputs(Output.newBuilder().setFile(FileOutput.newBuilder().setFilepath("routes/")))
                .build();
        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setEgress(v2)).awaitActive();
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        String name = info.getFileResults(0).getFilename();
        assertThat(name).startsWith("routes/" + room + "-").endsWith(".ogg");
        // carol matches no route (and capture_all is off): she is not recorded
        assertChannels(dir.resolve(name), 440, 880);
    }

    @Test
    void dualChannelAlternateSplitsTwoParticipantsOverTheChannels(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("alternate");
        TestPublisher alice = env.publisher(room, "alice");
        alice.publishTone("mic", 440);
        TestPublisher bob = env.publisher(room, "bob");
        bob.publishTone("mic", 880);

        RoomEgressFixture.Running r = egress.start(RoomEgressFixture.rpc(room).setRoomComposite(
                RoomCompositeEgressRequest.newBuilder().setRoomName(room).setAudioOnly(true)
                        .setAudioMixing(AudioMixing.DUAL_CHANNEL_ALTERNATE)
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("alternate"))))
                .awaitActive();
        Thread.sleep(5000);
        EgressInfo info = r.stopAndWait();

        assertThat(info.getStatus()).as("%s", info).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        Path file = dir.resolve("alternate.ogg");
        // tracks alternate left, right in the order they are added; both publishers were there before the recorder,
        // so which comes first is the server's order: one tone per channel, whichever way round
        AudioAnalysis a = AudioAnalysis.of(file, 1.0);
        boolean aliceLeft = Math.abs(a.left().frequency() - 440) < 440 * 0.02;
        assertChannels(file, aliceLeft ? 440 : 880, aliceLeft ? 880 : 440);
    }

    /** The left channel carries only {@code leftHz}, the right only {@code rightHz}. */
    private static void assertChannels(Path file, double leftHz, double rightHz) throws Exception {
        AudioAnalysis a = AudioAnalysis.of(file, 1.0);
        assertThat(a.seconds()).as("%s", a).isCloseTo(4.0, within(1.0));
        assertThat(a.left().rms()).as("left loudness %s", a).isGreaterThan(1000);
        assertThat(a.right().rms()).as("right loudness %s", a).isGreaterThan(1000);
        // a second tone on a channel would break up the zero-crossing count of every block
        assertThat(a.left().frequency()).as("left %s", a).isCloseTo(leftHz, within(leftHz * 0.02));
        assertThat(a.left().steadyFraction(leftHz)).as("left clean %s", a).isGreaterThan(0.9);
        assertThat(a.right().frequency()).as("right %s", a).isCloseTo(rightHz, within(rightHz * 0.02));
        assertThat(a.right().steadyFraction(rightHz)).as("right clean %s", a).isGreaterThan(0.9);
    }
}
