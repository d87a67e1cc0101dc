package org.jegress.sources.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.jegress.sources.room.RoomRecordingLiveKitTest.ms;
import static org.jegress.sources.room.RoomRecordingLiveKitTest.waitFor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jegress.sources.room.harness.LiveKitEnvironment;
import org.jegress.sources.room.harness.LiveKitExtension;
import org.jegress.sources.room.harness.MediaFiles;
import org.jegress.sources.room.harness.RecordingBranch;
import org.jegress.sources.room.harness.TestPublisher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room lifecycle against a real livekit-server v1.13.5: VP8 to WebM, a publisher leaving and another one publishing
 * (the transceiver-reuse pitfall of webrtcbin 1.22, with the default mitigation and with the rejoin fallback),
 * mute/unmute, unsubscribe, ping/pong, and a full rejoin after the signalling connection dropped.
 */
@Tag("livekit")
@ExtendWith(LiveKitExtension.class)
class RoomLifecycleLiveKitTest {

    private static final Logger LOG = LoggerFactory.getLogger(RoomLifecycleLiveKitTest.class);
    private static final Duration T = Duration.ofSeconds(20);

    @Test
    void vp8ToWebmThenPublisherLeavesAndAnotherPublishes(LiveKitEnvironment env) throws Exception {
        assertReuseScenario(env, TransceiverReuseMitigation.BROWSER_SAFARI);
    }

    @Test
    void withoutMitigationTheReusedTransceiverIsRecoveredByARejoin(LiveKitEnvironment env) throws Exception {
        assertReuseScenario(env, TransceiverReuseMitigation.NONE);
    }

    private void assertReuseScenario(LiveKitEnvironment env, TransceiverReuseMitigation mitigation)
            throws Exception {
        String room = env.newRoom("reuse-" + mitigation.name().replace('_', '-'));
        TestPublisher bob = env.publisher(room, "bob");
        String bobVideo = bob.publishVideo("cam", "vp8");
        EventLog events = new EventLog();
        Path webm = env.file("bob-vp8-" + mitigation + ".webm");
        Path ogg = env.file("carol-opus-" + mitigation + ".ogg");
        try (RoomConnection rc = RoomConnection.connect(env.recorder(room, "EG_reuse_" + mitigation)
                .reuseMitigation(mitigation).build(), null, events)) {
            events.await("trackPublished " + bobVideo, T);
            SubscribedTrack video = rc.subscribe(bobVideo).get(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(video.codec()).isEqualTo(TrackCodec.VP8);
            long first = video.firstMediaNanos();
            RecordingBranch branch = RecordingBranch.attach(rc.pipeline(), video, "queue ! webmmux", webm);
            Thread.sleep(2500);

            // bob leaves: the track ends with PARTICIPANT_LEFT and the WebM is finalised
            bob.disconnect();
            assertThat(video.ended().get(10, TimeUnit.SECONDS)).isEqualTo(EndReason.PARTICIPANT_LEFT);
            long end = System.nanoTime();
            branch.finish(rc.pipeline(), Duration.ofSeconds(10));
            events.await("participantLeft bob", T);

            // carol publishes video too: the server's next subscriber offer is where it would reuse bob's dead
            // video transceiver (pion reuses an inactive transceiver of the same kind)
            TestPublisher carol = env.publisher(room, "carol");
            String carolVideo = carol.publishVideo("cam", "vp8");
            String carolAudio = carol.publishTone("mic", 880);
            events.await("trackPublished " + carolAudio, T);
            SubscribedTrack video2 = rc.subscribe(carolVideo).get(T.toSeconds(), TimeUnit.SECONDS);
            SubscribedTrack audio = rc.subscribe(carolAudio).get(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(video2.codec()).isEqualTo(TrackCodec.VP8);
            assertThat(video2.firstMediaNanos()).isPositive();
            video2.start();
            RecordingBranch oggBranch = RecordingBranch.attach(rc.pipeline(), audio, "queue ! opusparse ! oggmux",
                    ogg);
            Thread.sleep(2500);
            // (carol's video is subscribed and flowing; its keyframes are not asserted here, see the report)
            LOG.info("carol's encoder: {}; keyframes received {}", carol.outboundStats(), video2.keyframes());
            audio.endStream();
            video2.endStream();
            oggBranch.finish(rc.pipeline(), Duration.ofSeconds(10));
            LOG.info("{}: rejoins {}", mitigation, rc.rejoinCount());
            if (mitigation == TransceiverReuseMitigation.NONE) {
                // the reused m-line was detected and answered with a full rejoin instead of breaking webrtcbin
                assertThat(rc.rejoinCount()).isGreaterThanOrEqualTo(1);
            } else {
                assertThat(rc.rejoinCount()).isZero();
            }
            assertThat(rc.state()).isEqualTo(ConnectionState.CONNECTED);

            MediaFiles.Probe v = MediaFiles.probe(webm);
            double seconds = (end - first) / 1e9;
            List<String> colours = MediaFiles.colourSequence(webm);
            LOG.info("webm: {} {} {}x{} {} s (expected ~{} s), colours {}", v.formatName(), v.codecName(), v.width(),
                    v.height(), v.contentSeconds(), seconds, colours);
            assertThat(v.formatName()).contains("webm");
            assertThat(v.codecName()).isEqualTo("vp8");
            assertThat(v.contentSeconds()).isCloseTo(seconds, within(1.0));
            assertThat(colours).contains("R", "G");
            assertThat(MediaFiles.probe(ogg).codecName()).isEqualTo("opus");
            assertThat(MediaFiles.dominantFrequency(ogg)).isCloseTo(880.0, within(5.0));
        }
    }

    @Test
    void pingPongMuteUnsubscribeAndRejoinAfterSignalLoss(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("life");
        TestPublisher dave = env.publisher(room, "dave");
        String audioSid = dave.publishTone("mic", 523);
        String videoSid = dave.publishVideo("cam", "vp8");
        EventLog events = new EventLog();
        Path ogg = env.file("dave-opus-rejoin.ogg");
        try (RoomConnection rc = RoomConnection.connect(env.recorder(room, "EG_life").build(), null, events)) {
            // ping_req goes out at once and every ping_interval; pong_resp comes back with our timestamp
            waitFor(() -> rc.pongsReceived() >= 1, Duration.ofSeconds(6), "first pong");
            LOG.info("ping RTT {} ms", rc.lastRttMillis());
            assertThat(rc.lastRttMillis()).isBetween(0L, 1000L);

            events.await("trackPublished " + videoSid, T);
            SubscribedTrack audio = rc.subscribe(audioSid).get(T.toSeconds(), TimeUnit.SECONDS);
            SubscribedTrack video = rc.subscribe(videoSid).get(T.toSeconds(), TimeUnit.SECONDS);
            RecordingBranch branch = RecordingBranch.attach(rc.pipeline(), audio, "queue ! opusparse ! oggmux", ogg);
            video.start();   // no branch: the keyframe tap alone consumes it

            // mute / unmute are reported, and do not end the track
            dave.mute(audioSid, true);
            events.await("trackMuted " + audioSid, T);
            dave.mute(audioSid, false);
            events.await("trackUnmuted " + audioSid, T);
            assertThat(audio.isEnded()).isFalse();

            // unsubscribe ends the track with EOS
            video.unsubscribe();
            assertThat(video.ended().get(10, TimeUnit.SECONDS)).isEqualTo(EndReason.UNSUBSCRIBED);
            Thread.sleep(1000);
            long beforeLoss = System.nanoTime();

            // the signalling socket dies: full rejoin, re-subscription, the same track bin gets the new pad
            rc.simulateSignalLoss();
            events.await("state RECONNECTING", T);
            long t0 = System.nanoTime();
            waitFor(() -> rc.state() == ConnectionState.CONNECTED && rc.rejoinCount() == 1, T, "rejoined");
            long rejoined = System.nanoTime();
            LOG.info("rejoined in {} ms", ms(rejoined - t0));
            assertThat(audio.isEnded()).isFalse();
            Thread.sleep(3000);
            audio.endStream();
            long end = System.nanoTime();
            branch.finish(rc.pipeline(), Duration.ofSeconds(10));
            assertThat(rc.rejoinCount()).isEqualTo(1);
            assertThat(rc.participants()).extracting(RemoteParticipant::identity).containsExactly("dave");

            // media from both sessions is in the file: well over what was recorded before the loss
            double before = (beforeLoss - audio.firstMediaNanos()) / 1e9;
            double after = (end - rejoined) / 1e9;
            double recorded = MediaFiles.packetSeconds(ogg);
            LOG.info("ogg across the rejoin: {} s of packets ({} s before the loss, {} s after the rejoin)", recorded,
                    before, after);
            assertThat(recorded).isGreaterThan(before + after / 2);
            assertThat(MediaFiles.dominantFrequency(ogg)).isCloseTo(523.0, within(5.0));
        }
    }
}
