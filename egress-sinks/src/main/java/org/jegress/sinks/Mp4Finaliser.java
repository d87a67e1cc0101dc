package org.jegress.sinks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.jegress.pipeline.gst.GstDescription;
import org.jegress.pipeline.gst.GstNatives;
import org.jegress.pipeline.gst.GstRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a fragmented MP4 into an ordinary one (one moov, one mdat) by remuxing it without re-encoding: a copy,
 * limited by disk speed. Written next to the original and renamed over it, so a crash at any moment leaves one
 * playable file. A track that ended without media (a recording stopped before the video's first frame) is left out
 * first ({@link Mp4EmptyTracks}): the fragmented file cannot be opened with it.
 */
final class Mp4Finaliser {

    private static final Logger LOG = LoggerFactory.getLogger(Mp4Finaliser.class);

    private Mp4Finaliser() {
    }

    /**
     * @param offsets per track kind ({@code video}, {@code audio}), how much later than the earliest it started (ns):
     *        the fragmented file starts every track at zero, the ordinary one starts the later ones that much later
     *        (mp4mux writes an edit list), which keeps them in sync
     */
    static void defragment(Path file, Map<String, Long> offsets) throws InterruptedException {
        long t0 = System.nanoTime();
        Path tmp = file.resolveSibling("." + file.getFileName() + ".finalising");
        try {
            List<Integer> empty = Mp4EmptyTracks.leaveOut(file);
            if (!empty.isEmpty()) {
                LOG.info("{}: track(s) {} ended without media and are left out", file.getFileName(), empty);
            }
            remux(file, tmp, offsets);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("{}: finalised as an ordinary MP4 in {} ms", file.getFileName(), (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            // The fragmented file plays everywhere that matters; keep it rather than lose the recording.
            LOG.warn("{}: left fragmented, finalising failed: {}", file.getFileName(), e.getMessage());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                LOG.debug("could not delete {}", tmp);
            }
        }
    }

    /** Per track queue of the copy: minutes of a 720p track waiting for the other's next sample. */
    private static final long REMUX_QUEUE_BYTES = 256L * 1024 * 1024;

    private static void remux(Path in, Path out, Map<String, Long> offsets) throws IOException, InterruptedException {
        GstRuntime.ensureInitialized();
        // qtdemux exposes pads as the streams are found; mp4mux takes whatever arrives on request pads. The queues
        // are bounded by bytes only: where one track has seconds with nothing of the other (it started later, or
        // stalled on a busy machine), the muxer waits for the other while the demuxer goes on with this one, and a
        // queue full after its default second stalled the copy for good.
        String queue = " ! queue max-size-buffers=0 max-size-time=0 max-size-bytes=" + REMUX_QUEUE_BYTES + " name=";
        String videoBranch = " demux.video_0" + queue + "video_q ! mux.video_0";
        String audioBranch = " demux.audio_0" + queue + "audio_q ! mux.audio_0";
        String d = "filesrc location=" + GstDescription.quote(in.toString()) + " ! qtdemux name=demux"
                + " mp4mux name=mux ! filesink location=" + GstDescription.quote(out.toString())
                + (hasTrack(in, "vide") ? videoBranch : "") + (hasTrack(in, "soun") ? audioBranch : "");
        Pipeline p = (Pipeline) Gst.parseLaunch(d);
        offsets.forEach((kind, offset) -> {
            org.freedesktop.gstreamer.Element q = p.getElementByName(kind + "_q");
            if (q != null && offset > 0) {
                GstNatives.setOffset(q.getStaticPad("src"), offset);
            }
        });
        if (!offsets.isEmpty()) {
            LOG.debug("{}: track start offsets {}", in.getFileName(), offsets);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Bus.EOS onEos = src -> done.complete(null);
        Bus.ERROR onError = (src, code, msg) -> done.completeExceptionally(new IOException(msg));
        p.getBus().connect(onEos);
        p.getBus().connect(onError);
        try {
            p.play();
            // A copy at disk speed: allow a generous 30 s plus 1 s per 50 MB.
            long timeoutMs = 30_000 + Files.size(in) / 50_000;
            done.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("remux timed out");
        } finally {
            p.stop();
            p.getBus().disconnect(onEos);
            p.getBus().disconnect(onError);
            p.dispose();
        }
    }

    /**
     * Whether the MP4 has a track of the given handler type ("vide", "soun"), judged from the {@code hdlr} boxes in
     * its head (type, version and flags, pre_defined, then the handler type).
     */
    private static boolean hasTrack(Path mp4, String handler) throws IOException {
        byte[] head = new byte[(int) Math.min(Files.size(mp4), 1 << 20)];
        try (var in = Files.newInputStream(mp4)) {
            int n = in.readNBytes(head, 0, head.length);
            String text = new String(head, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (int i = text.indexOf("hdlr"); i >= 0 && i + 16 <= n; i = text.indexOf("hdlr", i + 4)) {
                if (text.startsWith(handler, i + 12)) {
                    return true;
                }
            }
            return false;
        }
    }
}
