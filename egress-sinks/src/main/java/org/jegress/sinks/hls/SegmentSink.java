package org.jegress.sinks.hls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Structure;
import org.jegress.api.error.EgressException;
import org.jegress.api.hls.MediaPlaylist;
import org.jegress.api.livekit.SegmentedFileSuffix;
import org.jegress.api.manifest.Manifest;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.SegmentsPlan;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.jegress.pipeline.gst.GstDescription;
import org.jegress.pipeline.gst.GstNatives;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HLS: {@code splitmuxsink} cuts MPEG-TS segments at key frames (asking the encoder for one at each boundary), and
 * every closed segment is stored at once, in order, then listed in the EVENT playlist (and the live playlist of the
 * last five) — a player never sees a segment that is not stored yet. The playlists are written by
 * {@link MediaPlaylist}: each segment with its wall-clock start and length, both from the running times splitmuxsink
 * reports, so consecutive program dates differ by exactly the previous segment's length.
 *
 * <p>The EVENT playlist is stored every N segments (N = hours recorded + 1) and at least once a minute, the live one
 * after every segment, both at the end (upstream's cadence). Stored segments are removed locally unless storage is
 * the local disk itself; a segment whose upload failed stays on disk and fails this output alone.
 */
final class SegmentSink implements OutputSink {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentSink.class);
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS").withZone(ZoneOffset.UTC);

    private final SegmentsPlan plan;
    private final Path localDir;
    private final OutputContext context;
    private final Uploader uploader;
    private final Bin bin;
    private final MediaPlaylist playlist;
    private final MediaPlaylist livePlaylist;
    private final Manifest.PlaylistEntry manifestPlaylist;
    private final ExecutorService uploads;
    private final int queueCapacity;
    private final Map<String, Long> openedAt = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile boolean failed;
    private Instant startWall;
    private long startRunningTime = -1;
    private Instant lastPlaylistUpload;
    private int segments;

    SegmentSink(SegmentsPlan plan, Path localDir, OutputContext context) {
        GstRuntime.ensureInitialized();
        this.plan = plan;
        this.localDir = localDir;
        this.context = context;
        this.uploader = context.uploader();
        this.playlist = MediaPlaylist.event(plan.segmentDuration());
        this.livePlaylist = plan.livePlaylistFilename().isEmpty() ? null
                : MediaPlaylist.live(plan.segmentDuration(), SegmentsPlan.LIVE_WINDOW);
        this.manifestPlaylist = context.manifest().addPlaylist();
        // upstream: max_upload_queue minutes of segments may wait for storage
        this.queueCapacity = Math.max(2, context.config().maxUploadQueue() * 60 / plan.segmentDuration());
        this.uploads = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(queueCapacity),
                r -> {
                    Thread t = new Thread(r, "segments-" + context.egressId());
                    t.setDaemon(true);
                    return t;
                });
        Path pattern = localDir.resolve(plan.segmentName("%05d"));
        try {
            Files.createDirectories(pattern.getParent());
        } catch (IOException e) {
            throw EgressException.internal("cannot create " + pattern.getParent() + ": " + e.getMessage(), e);
        }
        StringBuilder d = new StringBuilder("splitmuxsink name=split muxer-factory=mpegtsmux send-keyframe-requests=true")
                .append(" max-size-time=").append(plan.segmentDuration() * 1_000_000_000L)
                .append(" location=").append(GstDescription.quote(pattern.toString()));
        String queue = "queue max-size-buffers=0 max-size-bytes=0 max-size-time=3000000000";
        if (context.video().enabled()) {
            d.append(' ').append(queue).append(" name=video_in ! h264parse ! split.video");
        }
        if (context.audio().enabled()) {
            d.append(' ').append(queue).append(" name=audio_in ! aacparse ! split.audio_%u");
        }
        bin = Gst.parseBinFromDescription(d.toString(), false);
        bin.setName("segments");
        // async=false: the segments may join a pipeline that already plays (a room connection's), where a sink
        // waiting for preroll would hold the state change until data came, and data waits for the state change
        Element file = org.freedesktop.gstreamer.ElementFactory.make("filesink", "segment_file");
        file.set("async", false);
        bin.getElementByName("split").set("sink", file);
        // splitmuxsink's final EOS is only visible from outside as a forwarded child message
        bin.set("message-forward", true);
        if (context.video().enabled()) {
            bin.addPad(new GhostPad(MediaPads.VIDEO, bin.getElementByName("video_in").getStaticPad("sink")));
        }
        if (context.audio().enabled()) {
            bin.addPad(new GhostPad(MediaPads.AUDIO, bin.getElementByName("audio_in").getStaticPad("sink")));
        }
    }

    @Override
    public Bin bin() {
        return bin;
    }

    @Override
    public CompletableFuture<Void> finished() {
        return finished;
    }

    @Override
    public void elementMessage(GstObject source, Structure s) {
        switch (s.getName()) {
            case "splitmuxsink-fragment-opened" -> opened(s.getString("location"), runningTime(s));
            case "splitmuxsink-fragment-closed" -> closed(s.getString("location"), runningTime(s));
            case "GstBinForwarded" -> {
                if (GstNatives.forwardedMessageType(s) == GstNatives.MESSAGE_EOS) {
                    finished.complete(null);
                }
            }
            default -> {
            }
        }
    }

    private static long runningTime(Structure s) {
        Object v = s.getValue("running-time");
        return v instanceof Number n ? n.longValue() : 0;
    }

    private synchronized void opened(String location, long runningTime) {
        if (startRunningTime < 0) {
            startRunningTime = runningTime;
            startWall = context.scheduler().clock().instant();
        }
        openedAt.put(location, runningTime);
    }

    private void closed(String location, long endRunningTime) {
        Long start = openedAt.remove(location);
        if (start == null || failed) {
            return;
        }
        Instant wall;
        synchronized (this) {
            wall = startWall.plusNanos(start - startRunningTime);
        }
        double seconds = (endRunningTime - start) / 1e9;
        String name = plan.suffix() == SegmentedFileSuffix.TIMESTAMP
                ? plan.segmentName(TIMESTAMP.format(wall))
                : localDir.relativize(Path.of(location)).toString();
        try {
            uploads.execute(() -> store(Path.of(location), name, wall, seconds));
        } catch (RejectedExecutionException e) {
            fail(EgressException.uploadQueueFull("segment", queueCapacity).getMessage());
        }
    }

    /** Stores one segment, then lists it (playlists follow storage, in order). Runs on the upload thread. */
    private void store(Path written, String name, Instant start, double seconds) {
        if (failed) {
            return;
        }
        try {
            Path local = localDir.resolve(name);
            if (!local.equals(written)) {
                Files.move(written, local, StandardCopyOption.REPLACE_EXISTING);
            }
            String storagePath = plan.storageDir() + name;
            UploadResult stored = uploader.upload(local, storagePath, OutputType.TS.mime());
            if (!stored.location().equals(local.toAbsolutePath().toString()) && Files.exists(local)) {
                Files.delete(local);
            }
            context.results().segmentStored(stored.size());
            manifestPlaylist.addSegment(storagePath, stored.location());
            playlist.append(start, seconds, name);
            segments++;
            writePlaylist(playlist, plan.playlistFilename());
            if (shouldStorePlaylist()) {
                storePlaylist();
            }
            if (livePlaylist != null) {
                livePlaylist.append(start, seconds, name);
                writePlaylist(livePlaylist, plan.livePlaylistFilename());
                storeLivePlaylist();
            }
        } catch (IOException e) {
            fail(EgressException.uploadFailed(e).getMessage());
        }
    }

    /** Every N segments (N = hours elapsed + 1), and at least once a minute. */
    private boolean shouldStorePlaylist() {
        Instant now = context.scheduler().clock().instant();
        long hours = Duration.between(startWall, now).toHours();
        return lastPlaylistUpload == null || segments % (hours + 1) == 0
                || Duration.between(lastPlaylistUpload, now).compareTo(Duration.ofMinutes(1)) > 0;
    }

    private void writePlaylist(MediaPlaylist p, String filename) throws IOException {
        Path file = localDir.resolve(filename);
        Path tmp = file.resolveSibling("." + filename + ".tmp");
        Files.writeString(tmp, p.render(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void storePlaylist() throws IOException {
        String location = upload(plan.playlistFilename(), plan.playlistPath());
        lastPlaylistUpload = context.scheduler().clock().instant();
        context.results().playlistLocation(location);
        manifestPlaylist.location(location);
    }

    private void storeLivePlaylist() throws IOException {
        context.results().livePlaylistLocation(upload(plan.livePlaylistFilename(), plan.livePlaylistPath()));
    }

    /** Stores a copy of a playlist (the local one keeps growing). */
    private String upload(String filename, String storagePath) throws IOException {
        Path file = localDir.resolve(filename);
        if (uploader.directPath(storagePath).map(p -> p.equals(file.toAbsolutePath().normalize())).orElse(false)) {
            return uploader.upload(file, storagePath, OutputType.HLS.mime()).location();
        }
        Path copy = file.resolveSibling("." + filename + ".upload");
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        try {
            return uploader.upload(copy, storagePath, OutputType.HLS.mime()).location();
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private void fail(String error) {
        if (failed) {
            return;
        }
        failed = true;
        LOG.warn("{}: segments: {}", context.egressId(), error);
        finished.complete(null);
        context.listener().failed(error);
    }

    /** Stores what is left: pending segments, then both playlists closed with ENDLIST. */
    @Override
    public void finish() throws InterruptedException {
        uploads.shutdown();
        if (!uploads.awaitTermination(10, TimeUnit.MINUTES)) {
            throw EgressException.internal("segment uploads did not finish", null);
        }
        if (failed) {
            return;
        }
        try {
            playlist.close();
            writePlaylist(playlist, plan.playlistFilename());
            storePlaylist();
            if (livePlaylist != null) {
                livePlaylist.close();
                writePlaylist(livePlaylist, plan.livePlaylistFilename());
                storeLivePlaylist();
            }
        } catch (IOException e) {
            throw EgressException.uploadFailed(e);
        }
        LOG.info("{}: {} segments stored, playlist {}", context.egressId(), segments, plan.playlistPath());
    }

    @Override
    public void close() {
        uploads.shutdownNow();
    }
}
