package org.jegress.sources.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jegress.sources.room.harness.LiveKitEnvironment;
import org.jegress.sources.room.harness.LiveKitExtension;
import org.jegress.sources.room.harness.LiveKitServer;
import org.jegress.sources.room.harness.MediaFiles;
import org.jegress.sources.room.harness.RecordingBranch;
import org.jegress.sources.room.harness.TestPublisher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder against a real livekit-server v1.13.5 and a real publisher: join hidden, subscribe to Opus and H.264,
 * write them without transcoding into OGG and MP4 with plain GStreamer elements, keyframe requests, unpublish →
 * end of track, leave on close. Outputs are judged by decoding them.
 */
@Tag("livekit")
@ExtendWith(LiveKitExtension.class)
class RoomRecordingLiveKitTest {

    private static final Logger LOG = LoggerFactory.getLogger(RoomRecordingLiveKitTest.class);
    private static final Duration T = Duration.ofSeconds(20);

    @Test
    void recordsOpusAndH264HiddenWithKeyframesUnpublishAndLeave(LiveKitEnvironment env) throws Exception {
        String room = env.newRoom("rec");
        String recorderId = "EG_rec_" + ProcessHandle.current().pid();
        TestPublisher alice = env.publisher(room, "alice");
        String audioSid = alice.publishTone("mic", 440);
        String videoSid = alice.publishVideo("cam", "h264");
        EventLog events = new EventLog();

        Path oggFile = env.file("alice-opus.ogg");
        Path mp4File = env.file("alice-h264.mp4");
        long audioEnd;
        long videoEnd;
        long audioFirst;
        long videoFirst;
        RecordingBranch ogg;
        RecordingBranch mp4;
        List<Long> keyframeLatencies = new ArrayList<>();
        try (RoomConnection rc = RoomConnection.connect(env.recorder(room, recorderId).build(), null, events)) {
            LOG.info("joined in {} ms (server {})", rc.joinMillis(), rc.serverVersion());
            assertThat(rc.serverVersion()).isEqualTo(LiveKitServer.REQUIRED_VERSION);
            events.await("trackPublished " + audioSid, T);
            events.await("trackPublished " + videoSid, T);
            RemoteTrack audioInfo = rc.track(audioSid).orElseThrow();
            RemoteTrack videoInfo = rc.track(videoSid).orElseThrow();
            assertThat(audioInfo.participantIdentity()).isEqualTo("alice");
            assertThat(audioInfo.source()).isEqualTo("MICROPHONE");
            assertThat(videoInfo.source()).isEqualTo("CAMERA");
            assertThat(videoInfo.supportedCodec()).contains(TrackCodec.H264);

            long t0 = System.nanoTime();
            SubscribedTrack audio = rc.subscribe(audioSid).get(T.toSeconds(), TimeUnit.SECONDS);
            SubscribedTrack video = rc.subscribe(videoSid).get(T.toSeconds(), TimeUnit.SECONDS);
            LOG.info("first media: audio {} ms, video {} ms after subscribe (peer connected {} ms after connect)",
                    ms(audio.subscribeToFirstMediaNanos()), ms(video.subscribeToFirstMediaNanos()),
                    rc.peerConnectedMillis());
            LOG.info("subscribe → both tracks flowing: {} ms", ms(System.nanoTime() - t0));
            assertThat(audio.codec()).isEqualTo(TrackCodec.OPUS);
            assertThat(video.codec()).isEqualTo(TrackCodec.H264);
            assertThat(video.info().participantIdentity()).isEqualTo("alice");

            audioFirst = audio.firstMediaNanos();
            videoFirst = video.firstMediaNanos();
            ogg = RecordingBranch.attach(rc.pipeline(), audio, "queue ! opusparse ! oggmux", oggFile);
            mp4 = RecordingBranch.attach(rc.pipeline(), video, "queue ! h264parse ! mp4mux", mp4File);

            // hidden: the publisher does not see the recorder, the server does (as hidden recorder)
            assertThat(alice.visibleParticipants()).doesNotContain(recorderId);
            assertThat(env.server().listParticipants(room))
                    .anySatisfy(p -> {
                        assertThat(p.identity()).isEqualTo(recorderId);
                        assertThat(p.hidden()).isTrue();
                        assertThat(p.recorder()).isTrue();
                    });

            // keyframe requests reach the publisher: a keyframe within 1 s of each (throttled) request
            waitFor(() -> video.keyframes() >= 1, T, "first keyframe");
            long encodedBefore = alice.keyframesEncoded();
            for (int i = 0; i < 3; i++) {
                // livekit-server forwards at most one PLI per second and layer to the publisher; stay clear of it
                Thread.sleep(2000);
                long before = video.keyframes();
                long encBefore = alice.keyframesEncoded();
                // sent now, or at the end of the throttle's second if the track itself just asked (it keeps asking
                // while it waits for a keyframe): time from when a request actually went out
                long tCall = System.nanoTime();
                video.requestKeyframe();
                waitFor(() -> video.lastKeyframeRequestNanos() >= tCall, Duration.ofSeconds(2),
                        "keyframe request " + i + " sent");
                long tReq = video.lastKeyframeRequestNanos();
                waitFor(() -> alice.keyframesEncoded() > encBefore, Duration.ofSeconds(3), "encoder keyframe " + i);
                LOG.info("request {}: publisher encoded a keyframe after {} ms", i, ms(System.nanoTime() - tReq));
                waitFor(() -> video.keyframes() > before, Duration.ofSeconds(3), "keyframe after request " + i);
                keyframeLatencies.add(ms(video.lastKeyframeNanos() - tReq));
            }
            LOG.info("keyframe latencies (request → keyframe out of the depayloader): {} ms", keyframeLatencies);
            assertThat(keyframeLatencies).allSatisfy(l -> assertThat(l).isLessThan(1000));
            // each request made the publisher's encoder produce a keyframe (it makes none on its own meanwhile)
            waitFor(() -> alice.keyframesEncoded() >= encodedBefore + 3, Duration.ofSeconds(3),
                    "keyframes encoded by the publisher");
            LOG.info("publisher outbound stats: {}", alice.outboundStats());
            // a second request within a second is coalesced, not sent
            assertThat(video.requestKeyframe()).isFalse();

            // unpublish → the track ends (EOS) and the OGG is finalised
            alice.unpublish(audioSid);
            assertThat(audio.ended().get(10, TimeUnit.SECONDS)).isEqualTo(EndReason.UNPUBLISHED);
            audioEnd = System.nanoTime();
            ogg.finish(rc.pipeline(), Duration.ofSeconds(10));
            events.await("trackUnpublished " + audioSid, T);

            // the consumer ends the video itself
            video.endStream();
            videoEnd = System.nanoTime();
            assertThat(video.ended().get(10, TimeUnit.SECONDS)).isEqualTo(EndReason.STOPPED);
            mp4.finish(rc.pipeline(), Duration.ofSeconds(10));
            assertThat(rc.rejoinCount()).isZero();
        }
        // leave on close: the server drops the recorder at once (without a leave it would wait for the PC timeout)
        waitFor(() -> env.server().listParticipants(room).stream().noneMatch(p -> p.identity().equals(recorderId)),
                Duration.ofSeconds(5), "recorder gone from the server after close");

        // the track bin holds media from its first packet until start(), so files begin with the first packet
        double audioSeconds = (audioEnd - audioFirst) / 1e9;
        double videoSeconds = (videoEnd - videoFirst) / 1e9;
        MediaFiles.Probe a = MediaFiles.probe(oggFile);
        LOG.info("ogg: {} {} {} Hz {} ch {} s (recorded {} s)", a.formatName(), a.codecName(), a.sampleRate(),
                a.channels(), a.contentSeconds(), audioSeconds);
        assertThat(a.formatName()).isEqualTo("ogg");
        assertThat(a.codecName()).isEqualTo("opus");
        assertThat(a.contentSeconds()).isCloseTo(audioSeconds, within(1.0));
        assertThat(MediaFiles.dominantFrequency(oggFile)).isCloseTo(440.0, within(5.0));

        MediaFiles.Probe v = MediaFiles.probe(mp4File);
        List<String> colours = MediaFiles.colourSequence(mp4File);
        LOG.info("mp4: {} {} {}x{} {} s (recorded {} s), {} frames, colours {}", v.formatName(), v.codecName(),
                v.width(), v.height(), v.contentSeconds(), videoSeconds, MediaFiles.decodedFrames(mp4File), colours);
        assertThat(v.formatName()).contains("mp4");
        assertThat(v.codecName()).isEqualTo("h264");
        assertThat(v.width()).isEqualTo(320);
        assertThat(v.height()).isEqualTo(240);
        assertThat(v.contentSeconds()).isCloseTo(videoSeconds, within(1.0));
        assertThat(colours).contains("R", "G", "B");
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check c, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
