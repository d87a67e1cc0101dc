package org.jegress.sinks;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.Set;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GhostPad;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.MediaType;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.VideoPlan;
import org.jegress.pipeline.gst.GstDescription;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.gst.EosWatch;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;

/**
 * Writes MP4, OGG, MP3 and WebM files, from encoded media (transcoded, or a track's own for a track egress).
 *
 * <p><b>MP4 is crash-safe</b>: while recording, mp4mux writes a fragmented MP4 (a fragment every
 * {@value #MP4_FRAGMENT_MS} ms) through an unbuffered file sink, so a killed process leaves a file that plays up
 * to its last fragment; after a clean stop {@link Mp4Finaliser} rewrites it as an ordinary MP4. Go egress writes
 * a plain mp4mux file, which is unplayable after a kill. The fragmented file starts each track at zero; the
 * finished one puts a track that started later back where it started ({@link TrackStarts}), so a file left by a
 * crash may have its tracks shifted by their start difference (tens of ms), a finished one not.
 * (mp4mux's {@code first-moov-then-finalise} mode would
 * spare the rewrite, but in GStreamer 1.22 it sometimes writes fragment runs without sample sizes, which FFmpeg
 * refuses to open.)
 *
 * <p>MP3 goes through xingmux, which writes the Xing/Info header (frame count and seek table) on EOS so players
 * know the duration of a CBR stream.
 */
public final class FileSinkProvider implements OutputSinkProvider {

    /** Fragment length: bounds what a crash can lose. */
    static final int MP4_FRAGMENT_MS = 250;

    private static final Set<OutputType> SUPPORTED = Set.of(OutputType.MP4, OutputType.OGG, OutputType.MP3,
            OutputType.WEBM);

    /** Queue in front of each muxer input: absorbs interleaving waits without blocking the shared tee. */
    private static final String QUEUE = "queue max-size-buffers=0 max-size-bytes=0 max-size-time=3000000000";

    @Override
    public boolean supports(OutputTarget target) {
        return target instanceof OutputTarget.File && SUPPORTED.contains(target.type());
    }

    @Override
    public OutputSink create(OutputTarget target, OutputContext context) {
        if (!(target instanceof OutputTarget.File file) || !supports(target)) {
            throw new IllegalArgumentException("not a file this sink writes: " + target);
        }
        AudioPlan audio = context.audio();
        VideoPlan video = context.video();
        OutputType type = file.type();
        Path localFile = file.localFile();
        GstRuntime.ensureInitialized();
        // async=false: the sink may join a pipeline that is already playing (a room connection's), where waiting
        // for preroll would stall the state change.
        String sink = "filesink name=file sync=false async=false buffer-mode=unbuffered location="
                + GstDescription.quote(localFile.toAbsolutePath().toString());
        // Behind a tee, a queue per input keeps one output from holding up the others; a passthrough input is fed
        // by its own track (which has a queue already): a thread and a handoff per packet less.
        boolean passthrough = (!audio.enabled() || !audio.transcoding()) && (!video.enabled() || !video.encoding());
        String in = passthrough ? "identity silent=true" : QUEUE;
        StringBuilder d = new StringBuilder();
        switch (type) {
            case MP4:
                d.append("mp4mux name=mux fragment-duration=").append(MP4_FRAGMENT_MS)
                        .append(" fragment-mode=dash-or-mss ! ").append(sink);
                if (video.enabled()) {
                    d.append(' ').append(in).append(" name=video_in ! h264parse ! mux.video_%u");
                }
                if (audio.enabled()) {
                    d.append(' ').append(in).append(" name=audio_in ! ").append(audioParser(audio.codec()))
                            .append(" ! mux.audio_%u");
                }
                break;
            case OGG:
                d.append("oggmux name=mux ! ").append(sink)
                        .append(' ').append(in).append(" name=audio_in ! opusparse ! mux.audio_%u");
                break;
            case WEBM:
                // Matroska is readable up to its last complete cluster after a crash; EOS adds cues and duration.
                d.append("webmmux name=mux ! ").append(sink);
                if (video.enabled()) {
                    d.append(' ').append(in).append(" name=video_in ! mux.video_%u");
                }
                if (audio.enabled()) {
                    d.append(' ').append(in).append(" name=audio_in ! opusparse ! mux.audio_%u");
                }
                break;
            case MP3:
                d.append(in).append(" name=audio_in ! xingmux ! ").append(sink);
                break;
            default:
                throw new IllegalArgumentException("not a file type this sink writes: " + type);
        }
        Bin bin = Gst.parseBinFromDescription(d.toString(), false);
        bin.setName(type.name().toLowerCase(java.util.Locale.ROOT) + "_file");
        ghost(bin, "video_in", MediaPads.VIDEO);
        ghost(bin, "audio_in", MediaPads.AUDIO);
        EosWatch eos = EosWatch.on(bin.getElementByName("file").getStaticPad("sink"));
        return type == OutputType.MP4 ? new Mp4Sink(bin, localFile, eos, TrackStarts.on(bin.getElementByName("mux")))
                : new FileSink(bin, localFile, eos);
    }

    private static String audioParser(MediaType codec) {
        return codec == MediaType.OPUS ? "opusparse" : "aacparse";
    }

    private static void ghost(Bin bin, String queueName, String padName) {
        Element queue = bin.getElementByName(queueName);
        if (queue != null) {
            bin.addPad(new GhostPad(padName, queue.getStaticPad("sink")));
        }
    }

    /** A file finished once EOS reached its file sink; the watch is held for as long as the output lives. */
    private record FileSink(Bin bin, Path localFile, EosWatch eos) implements OutputSink {
        @Override
        public CompletableFuture<Void> finished() {
            return eos.eos();
        }
    }

    private record Mp4Sink(Bin bin, Path localFile, EosWatch eos, TrackStarts starts) implements OutputSink {
        @Override
        public CompletableFuture<Void> finished() {
            return eos.eos();
        }

        @Override
        public void finish() throws InterruptedException {
            Mp4Finaliser.defragment(localFile, starts.offsets());
        }
    }
}
