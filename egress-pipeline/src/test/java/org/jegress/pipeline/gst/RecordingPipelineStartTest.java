package org.jegress.pipeline.gst;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.jegress.api.livekit.AudioMixing;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.MediaType;
import org.jegress.api.plan.VideoPlan;
import org.jegress.pipeline.spi.OutputSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording built into a pipeline that already plays (a room source's) starts when it is told to, from its sinks
 * upstream; not when the pipeline happens to change state while it is being built.
 */
class RecordingPipelineStartTest {

    @TempDir
    Path dir;

    /**
     * The room source's pipeline goes back to PAUSED and on to PLAYING while the recording is built (a sink in it
     * prerolling again does that). That used to start whatever was built by then: in CI, a mixer before the encoder
     * it feeds, whose flushing pad made the mixer pause its task for good, and the MP4 stayed empty.
     */
    @Test
    void startsOnPlayOnlyAndThenFromItsOutputsUp() throws Exception {
        GstRuntime.ensureInitialized();
        Pipeline running = new Pipeline("room-like");
        running.play();
        AudioPlan audio = new AudioPlan(true, true, MediaType.AAC, 128, 44_100, AudioMixing.DEFAULT_MIXING);
        VideoPlan video = new VideoPlan(false, false, false, null, null, 0, 0, 0, 0, 0, 0);
        RecordingPipeline r = RecordingPipeline.build("start-order", running, new RecordingPipeline.Encode(
                RecordingPipeline.Layout.COMPOSITE, video, audio, EncoderChains.VideoTuning.files(1), false, true,
                org.jegress.pipeline.spi.MediaPads.HD_COLORIMETRY),
                (o, why) -> { });
        Path file = dir.resolve("audio.aac");
        Bin bin = Gst.parseBinFromDescription("queue name=in ! filesink sync=false buffer-mode=unbuffered location="
                + file, false);
        bin.addPad(new GhostPad("audio", bin.getElementByName("in").getStaticPad("sink")));
        OutputSink out = new OutputSink() {
            @Override
            public Bin bin() {
                return bin;
            }

            @Override
            public CompletableFuture<Void> finished() {
                return new CompletableFuture<>();
            }
        };
        try {
            r.attach(out);
            running.setState(State.PAUSED);
            running.getState(2_000_000_000L);
            running.setState(State.PLAYING);
            running.getState(2_000_000_000L);
            Thread.sleep(1_500);
            assertThat(Files.size(file)).as("encoded before play()").isZero();

            r.play();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Files.size(file) < 200 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.size(file)).as("AAC written after play()").isGreaterThanOrEqualTo(200);
        } finally {
            r.close();
            running.setState(State.NULL);
            running.dispose();
        }
    }
}
