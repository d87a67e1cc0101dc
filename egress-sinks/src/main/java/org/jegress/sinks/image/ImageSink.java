package org.jegress.sinks.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Structure;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.ImageFileSuffix;
import org.jegress.api.plan.ImagesPlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.jegress.pipeline.gst.EosWatch;
import org.jegress.pipeline.gst.GstDescription;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG thumbnails from the raw picture: {@code videorate} to one frame every capture interval, scaled to the image
 * size, {@code jpegenc}, {@code multifilesink}; each image is named (index, capture time, or one overwritten file),
 * stored as soon as it is written and listed in the manifest with its capture time. An upload failure fails this
 * output alone; images that could not be stored stay on disk.
 */
final class ImageSink implements OutputSink {

    private static final Logger LOG = LoggerFactory.getLogger(ImageSink.class);
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS").withZone(ZoneOffset.UTC);
    /** Upstream: at least four images may wait for storage (start-up bursts, the EOS flush). */
    private static final int MIN_PENDING = 4;

    private final ImagesPlan plan;
    private final int index;
    private final Path localDir;
    private final OutputContext context;
    private final Uploader uploader;
    private final Bin bin;
    private final EosWatch eos;
    private final ExecutorService uploads;
    private final int queueCapacity;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicInteger handled = new AtomicInteger();
    private final CompletableFuture<Void> failedOrDone = new CompletableFuture<>();
    private volatile boolean failed;
    /** multifilesink's count of files written, read when EOS reached it (the pipeline is gone by {@link #finish}). */
    private volatile int writtenAtEos = -1;
    private Instant startWall;
    private long startRunningTime = -1;

    ImageSink(ImagesPlan plan, int index, Path localDir, OutputContext context) {
        GstRuntime.ensureInitialized();
        this.plan = plan;
        this.index = index;
        this.localDir = localDir;
        this.context = context;
        this.uploader = context.uploader();
        this.queueCapacity = Math.max(MIN_PENDING, context.config().maxUploadQueue() * 60 / plan.captureInterval());
        this.uploads = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(queueCapacity),
                r -> {
                    Thread t = new Thread(r, "images-" + context.egressId());
                    t.setDaemon(true);
                    return t;
                });
        Path pattern = localDir.resolve("." + plan.prefix() + "_%05d" + OutputType.JPEG.extension());
        bin = Gst.parseBinFromDescription("queue name=image_in leaky=downstream max-size-buffers=0 max-size-bytes=0"
                + " max-size-time=200000000 ! videorate skip-to-first=true ! videoscale"
                + " ! capsfilter caps=\"video/x-raw,framerate=1/" + plan.captureInterval() + ",width=" + plan.width()
                + ",height=" + plan.height() + ",pixel-aspect-ratio=1/1\" ! jpegenc"
                + " ! multifilesink name=images post-messages=true sync=false async=false location="
                + GstDescription.quote(pattern.toString()), false);
        bin.setName(plan.id());
        bin.addPad(new GhostPad(MediaPads.RAW_VIDEO, bin.getElementByName("image_in").getStaticPad("sink")));
        eos = EosWatch.on(bin.getElementByName("images").getStaticPad("sink"));
        eos.eos().thenRun(() -> {
            Object next = bin.getElementByName("images").get("index");
            writtenAtEos = next instanceof Number n ? n.intValue() : -1;
        });
    }

    @Override
    public Bin bin() {
        return bin;
    }

    @Override
    public CompletableFuture<Void> finished() {
        return CompletableFuture.anyOf(eos.eos(), failedOrDone).thenApply(v -> null);
    }

    @Override
    public void elementMessage(GstObject source, Structure s) {
        if (!"GstMultiFileSink".equals(s.getName()) || failed) {
            return;
        }
        String file = s.getString("filename");
        Object rt = s.getValue("running-time");
        long runningTime = rt instanceof Number n ? n.longValue() : 0;
        Instant taken;
        synchronized (this) {
            if (startRunningTime < 0) {
                startRunningTime = runningTime;
                startWall = context.scheduler().clock().instant();
            }
            taken = startWall.plusNanos(runningTime - startRunningTime);
        }
        int n = written.getAndIncrement();
        try {
            uploads.execute(() -> store(Path.of(file), n, taken));
        } catch (RejectedExecutionException e) {
            fail(EgressException.uploadQueueFull("image", queueCapacity).getMessage());
        }
    }

    private void store(Path written, int n, Instant taken) {
        try {
            if (failed) {
                return;
            }
            String name = plan.imageName(plan.suffix() == ImageFileSuffix.IMAGE_SUFFIX_TIMESTAMP
                    ? TIMESTAMP.format(taken) : String.format("%05d", n));
            Path local = localDir.resolve(name);
            Files.move(written, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String storagePath = plan.storageDir() + name;
            UploadResult stored = uploader.upload(local, storagePath, OutputType.JPEG.mime());
            if (!stored.location().equals(local.toAbsolutePath().toString()) && Files.exists(local)) {
                Files.delete(local);
            }
            context.results().imageStored(index);
            context.manifest().addImage(storagePath, taken, stored.location());
        } catch (IOException e) {
            fail(EgressException.uploadFailed(e).getMessage());
        } finally {
            handled.incrementAndGet();
        }
    }

    private void fail(String error) {
        if (failed) {
            return;
        }
        failed = true;
        LOG.warn("{}: images: {}", context.egressId(), error);
        failedOrDone.complete(null);
        context.listener().failed(error);
    }

    /** Stores the images written before EOS (their messages may still be on their way). */
    @Override
    public void finish() throws InterruptedException {
        int total = writtenAtEos;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (written.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        uploads.shutdown();
        if (!uploads.awaitTermination(10, TimeUnit.MINUTES)) {
            throw EgressException.internal("image uploads did not finish", null);
        }
        LOG.info("{}: {} images stored under {}", context.egressId(), handled.get(), plan.prefixPath());
    }

    @Override
    public void close() {
        uploads.shutdownNow();
    }
}
