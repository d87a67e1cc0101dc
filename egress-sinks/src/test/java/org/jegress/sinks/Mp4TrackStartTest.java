package org.jegress.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.MediaType;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.VideoPlan;
import org.jegress.api.plan.VideoProfile;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MP4 file keeps its tracks where they were in time: the fragmented file mp4mux writes while recording starts
 * every track at zero, and the finished file puts a track that started later back where it started.
 */
class Mp4TrackStartTest {

    @TempDir
    Path dir;

    @Test
    void aTrackThatStartedLaterStartsLaterInTheFinishedFile() throws Exception {
        Path file = dir.resolve("late-audio.mp4");
        // 3 s of video from 0; audio from 0.5 s
        record(file, 90, 500_000_000L);
        assertAudioStartsAfterVideo(file, 0.5);
    }

    /**
     * More than a second of one track with nothing of the other (a late track, a stalled one on a busy machine): the
     * finaliser's copy must not wait for the other track with its queue full (it stalled until its time-out and left
     * the file fragmented).
     */
    @Test
    void aTrackThatStartedSecondsLaterIsFinishedToo() throws Exception {
        Path file = dir.resolve("much-later-audio.mp4");
        record(file, 150, 2_500_000_000L);
        assertAudioStartsAfterVideo(file, 2.5);
    }

    /**
     * A recording that ends before the video's first frame (stopped right after it started): mp4mux writes a video
     * track without a sample description, which no player opens; the finished file has the sound alone.
     */
    @Test
    void aVideoTrackThatNeverStartedIsLeftOut() throws Exception {
        Path file = dir.resolve("no-video.mp4");
        record(file, 0, 0);
        Process ff = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name",
                "-of", "csv=p=0", file.toString()).redirectErrorStream(true).start();
        String out = new String(ff.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(ff.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ff.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo("aac,audio");
        assertThat(new String(java.nio.file.Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).doesNotContain("moof");
    }

    /** Video of {@code frames} at 30 fps from 0, 100 frames of AAC from {@code audioStartNs}, through the MP4 sink. */
    private void record(Path file, int frames, long audioStartNs) throws Exception {
        GstRuntime.ensureInitialized();
        AudioPlan audio = new AudioPlan(true, true, MediaType.AAC, 128, 48000, null);
        VideoPlan video = new VideoPlan(true, false, true, MediaType.H264, VideoProfile.MAIN, 320, 240, 24, 30, 500,
                0);
        OutputSink sink = new FileSinkProvider().create(new OutputTarget.File(OutputType.MP4, file),
                new OutputContext("EG_test", null, audio, video, dir, null, null, null, null, null));
        Pipeline p = new Pipeline("track-start");
        Bin v = Gst.parseBinFromDescription("videotestsrc num-buffers=" + frames + " ! video/x-raw,width=320,"
                + "height=240,framerate=30/1 ! x264enc speed-preset=ultrafast ! h264parse", true);
        Bin a = Gst.parseBinFromDescription("audiotestsrc num-buffers=100 timestamp-offset=" + audioStartNs
                + " ! audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse", true);
        p.addMany(v, a, sink.bin());
        v.getStaticPad("src").link(sink.bin().getStaticPad("video"));
        a.getStaticPad("src").link(sink.bin().getStaticPad("audio"));
        CompletableFuture<Void> eos = new CompletableFuture<>();
        Bus.EOS onEos = src -> eos.complete(null);
        Bus.ERROR onError = (src, code, msg) -> eos.completeExceptionally(new AssertionError(msg));
        p.getBus().connect(onEos);
        p.getBus().connect(onError);
        try {
            p.play();
            eos.get(30, TimeUnit.SECONDS);
        } finally {
            p.stop();
            p.getBus().disconnect(onEos);
            p.getBus().disconnect(onError);
            p.dispose();
        }
        sink.finish();
    }

    private static void assertAudioStartsAfterVideo(Path file, double seconds) throws Exception {
        assertThat(startTime(file, "a:0") - startTime(file, "v:0")).as("audio start - video start, s")
                .isCloseTo(seconds, org.assertj.core.data.Offset.offset(0.03));
    }

    private static double startTime(Path file, String stream) throws Exception {
        Process ff = new ProcessBuilder("ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
                "stream=start_time", "-of", "csv=p=0", file.toString()).redirectErrorStream(true).start();
        String out = new String(ff.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(ff.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Double.parseDouble(out);
    }
}
