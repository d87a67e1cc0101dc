package org.jegress.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.jegress.api.config.SessionLimits;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.manifest.Manifest;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.FilePlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.SourceKind;
import org.jegress.api.status.EgressStatusTracker;
import org.jegress.api.status.EndReason;
import org.jegress.api.storage.Uploader;
import org.jegress.pipeline.gst.RecordingPipeline;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;
import org.jegress.pipeline.spi.SourceContext;
import org.jegress.pipeline.spi.SourceListener;
import org.jegress.pipeline.spi.SourceProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one egress from request to final EgressInfo, on its own thread: prepare the source, wait for the start
 * signal, play, wait for a stop, the source's end, an error or a session limit, send EOS and wait until every
 * output is finalised, upload, write the manifest, report. Whatever happens, the source is closed, the pipeline
 * released and a final state published; a partial recording is finalised and kept.
 */
public final class EgressSession implements EgressHandle {

    private static final Logger LOG = LoggerFactory.getLogger(EgressSession.class);

    private volatile EgressPlan plan;
    private final EgressOptions options;
    private final SourceProvider sourceProvider;
    private final Function<OutputType, OutputSinkProvider> sinkProviders;
    private final Uploader uploader;
    private final Path workDir;
    private final EgressStatusTracker tracker;
    private final Thread thread;
    private final ScheduledExecutorService timers;

    /** Completed with the reason once a stop was requested (API, signal, limit, source end). */
    private final CompletableFuture<EndReason> stopRequested = new CompletableFuture<>();
    private final CompletableFuture<EgressInfo> done = new CompletableFuture<>();
    private final Object lifecycle = new Object();

    private volatile boolean awaitingStartSignal;
    private volatile RecordingPipeline pipeline;
    /** The pipeline being built in the background while the source starts. */
    private volatile CompletableFuture<RecordingPipeline> building;
    private volatile Path localFile;
    private volatile OutputSink fileSink;
    private volatile List<OutputSink> outputs = List.of();
    private volatile long startedAtNs;
    /** Relays source events to the outputs. */
    private final SourceListener sourceListener = new SourceListener() {
        @Override
        public void trackMuted(String trackId, boolean muted) {
            for (OutputSink o : outputs) {
                o.trackMuted(muted);
            }
        }
    };

    EgressSession(EgressPlan plan, EgressOptions options, SourceProvider sourceProvider,
            Function<OutputType, OutputSinkProvider> sinkProviders, Uploader uploader) {
        this.plan = plan;
        this.options = options;
        this.sourceProvider = sourceProvider;
        this.sinkProviders = sinkProviders;
        // only a page can be waiting for a start signal; a room source starts with its first media
        this.awaitingStartSignal = plan.sourceKind() == SourceKind.WEB;
        this.uploader = uploader;
        this.workDir = options.workRoot().resolve(plan.egressId());
        this.tracker = new EgressStatusTracker(plan.info(), options.clock());
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egress-timer-" + plan.egressId());
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, "egress-" + plan.egressId());
    }

    void start() {
        thread.start();
    }

    // ------------------------------------------------------------------------------------------- handle

    @Override
    public String egressId() {
        return plan.egressId();
    }

    @Override
    public EgressPlan plan() {
        return plan;
    }

    @Override
    public EgressInfo info() {
        return tracker.snapshot();
    }

    @Override
    public void addListener(Consumer<EgressInfo> listener) {
        synchronized (lifecycle) {
            if (!done.isDone()) {
                tracker.addListener(listener);
                return;
            }
        }
        listener.accept(done.join());
    }

    @Override
    public EgressInfo stop(EndReason reason) {
        synchronized (lifecycle) {
            if (stopRequested.isDone() || tracker.isTerminal()) {
                return tracker.snapshot();
            }
            tracker.endReason(reason);
            if (tracker.status() == EgressStatus.EGRESS_STARTING) {
                tracker.aborted(awaitingStartSignal ? EgressStatusTracker.MSG_START_NOT_RECEIVED
                        : EgressStatusTracker.MSG_STOPPED_BEFORE_STARTED);
            } else {
                tracker.ending();
            }
            stopRequested.complete(reason);
        }
        return tracker.snapshot();
    }

    /** A session limit fired: LIMIT_REACHED while active (outputs still finalised), ABORTED before start. */
    private void limitReached() {
        synchronized (lifecycle) {
            if (stopRequested.isDone() || tracker.isTerminal()) {
                return;
            }
            tracker.endReason(EndReason.LIMIT_REACHED);
            if (tracker.status() == EgressStatus.EGRESS_STARTING) {
                tracker.aborted(EgressStatusTracker.MSG_LIMIT_REACHED_WITHOUT_START);
            } else {
                tracker.limitReached();
            }
            stopRequested.complete(EndReason.LIMIT_REACHED);
        }
    }

    @Override
    public EgressInfo awaitCompletion() throws InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public Optional<EgressInfo> awaitCompletion(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(done.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public long bytesWritten() {
        Path f = localFile;
        try {
            return f != null && Files.exists(f) ? Files.size(f) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String pipelineDot() {
        RecordingPipeline p = pipeline;
        return p == null ? "" : p.dot(true);
    }

    // ------------------------------------------------------------------------------------------- run

    private void run() {
        MediaSource source = null;
        RecordingPipeline p = null;
        try {
            Files.createDirectories(workDir);
            startSessionLimitTimer();

            long t0 = System.nanoTime();
            source = sourceProvider.create(plan, new SourceContext(options.config(), workDir, options.clock(),
                    sourceListener));
            MediaSource src = source;
            if (!source.ownsPipeline()) {
                // Encoders and outputs do not depend on the source: build them while the source starts up.
                building = CompletableFuture.supplyAsync(() -> buildRecording(null, RecordingPipeline.Layout.DIRECT));
                building.thenAccept(built -> pipeline = built);
            }
            LOG.info("{}: preparing {}", plan.egressId(), source.describe());
            source.prepare();
            long prepared = System.nanoTime();
            if (source.ownsPipeline()) {
                adopt(source.resolve(plan));
            }

            if (!awaitStart(source)) {
                return;
            }
            long startSignal = System.nanoTime();

            if (source.ownsPipeline()) {
                p = buildRecording(source.pipeline(), plan.remuxes()
                        ? RecordingPipeline.Layout.PASSTHROUGH : RecordingPipeline.Layout.COMPOSITE);
                pipeline = p;
            } else {
                p = built(building);
            }
            p.ignoreErrorsFrom(src::handlesErrorsOf);
            long built = System.nanoTime();
            if (source.ownsPipeline()) {
                // The source's pipeline already runs: the recording must too before a track feeds it, or the
                // track's streaming thread would hit a flushing branch and stop.
                p.play();
                awaitMixers(p);
                source.attach(p);
            } else {
                source.attach(p);
                p.play();
            }
            awaitPlaying(p);
            LOG.info("{}: timings: source ready {} ms, start signal {} ms, pipeline built {} ms, media flowing {} ms",
                    plan.egressId(), ms(prepared - t0), ms(startSignal - prepared), ms(built - startSignal),
                    ms(System.nanoTime() - built));
            if (!goActive()) {
                // A stop or limit won the race with PLAYING: nothing worth keeping was recorded yet.
                return;
            }

            Throwable sourceError = awaitEnd(source, p);
            long endedAt = tracker.nowNs();
            finishPipeline(source, p);
            p.close();
            pipeline = null;
            source.close();
            for (OutputSink o : outputs) {
                o.finish();
            }
            finalizeOutputs(endedAt);
            if (sourceError != null) {
                // What was recorded is finalised and kept; the egress still reports that it ended early.
                fail(asEgress(sourceError));
                return;
            }
            synchronized (lifecycle) {
                EgressStatus s = tracker.status();
                if (s == EgressStatus.EGRESS_ACTIVE || s == EgressStatus.EGRESS_ENDING) {
                    tracker.complete();
                }
            }
        } catch (EgressException e) {
            fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(EgressException.internal("interrupted", e));
        } catch (IOException | RuntimeException e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof EgressException ee) {
                fail(ee);
            } else {
                LOG.error("{}: unexpected failure", plan.egressId(), e);
                fail(EgressException.internal(String.valueOf(cause.getMessage()), cause));
            }
        } finally {
            cleanup(source, p);
        }
    }

    /** Takes over the plan as the source completed it (file names and containers that depended on the room). */
    private void adopt(EgressPlan resolved) {
        if (resolved == plan) {
            return;
        }
        plan = resolved;
        tracker.update(b -> {
            for (int i = 0; i < b.getFileResultsCount() && i < resolved.info().getFileResultsCount(); i++) {
                b.setFileResults(i, b.getFileResults(i).toBuilder()
                        .setFilename(resolved.info().getFileResults(i).getFilename()));
            }
            if (b.hasFile() && b.getFileResultsCount() > 0) {
                b.setFile(b.getFileResults(0));
            }
            return b;
        });
    }

    /** Waits for the start signal; false if a stop, the source's end or a limit came first (ABORTED). */
    private boolean awaitStart(MediaSource source) throws InterruptedException {
        CompletableFuture<Object> first = CompletableFuture.anyOf(source.startSignal(), stopRequested,
                source.endSignal().handle((v, e) -> "ended"));
        join(first);
        synchronized (lifecycle) {
            if (source.startSignal().isDone() && !stopRequested.isDone()) {
                awaitingStartSignal = false;
                return true;
            }
        }
        if (!stopRequested.isDone()) {
            // The page ended (or failed) before it ever signalled start.
            stop(EndReason.SOURCE_CLOSED);
        }
        return false;
    }

    /**
     * Waits (briefly) until the recording's mixers run from their beds, so that tracks join mixers that have all
     * chosen the same start (see {@link RecordingPipeline#mixersStarted()}). Errors surface in {@link #awaitPlaying}.
     */
    private void awaitMixers(RecordingPipeline p) throws InterruptedException {
        try {
            CompletableFuture.anyOf(p.mixersStarted(), p.failed(), stopRequested).get(2, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debug("{}: mixers not started yet: {}", plan.egressId(), e.toString());
        }
    }

    /** Waits until media flows from the source (see {@link RecordingPipeline#flowing()}). */
    private void awaitPlaying(RecordingPipeline p) throws InterruptedException {
        CompletableFuture<Object> first = CompletableFuture.anyOf(p.flowing(), p.failed(), stopRequested);
        try {
            first.get(options.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw EgressException.internal("pipeline did not start within " + options.startTimeout().toSeconds()
                    + " s", null);
        } catch (ExecutionException e) {
            throw asEgress(e.getCause());
        }
    }

    /** STARTING → ACTIVE once media flows, stamping the outputs' start time; false if a stop got there first. */
    private boolean goActive() {
        synchronized (lifecycle) {
            if (stopRequested.isDone()) {
                return false;
            }
            startedAtNs = tracker.nowNs();
            tracker.update(b -> {
                for (int i = 0; i < b.getFileResultsCount(); i++) {
                    b.setFileResults(i, b.getFileResults(i).toBuilder().setStartedAt(startedAtNs));
                }
                if (b.hasFile()) {
                    b.setFile(b.getFile().toBuilder().setStartedAt(startedAtNs));
                }
                return b;
            });
            tracker.active();
        }
        LOG.info("{}: recording", plan.egressId());
        startSizeMonitor();
        return true;
    }

    /**
     * Waits until something ends the recording. Returns the source's error if it ended abnormally (the recording is
     * still finalised); throws if the pipeline failed (nothing can be finalised then).
     */
    private Throwable awaitEnd(MediaSource source, RecordingPipeline p) throws InterruptedException {
        CompletableFuture<Object> first = CompletableFuture.anyOf(stopRequested, p.failed(),
                source.endSignal().handle((v, e) -> e == null ? EndReason.SOURCE_CLOSED : e));
        Object result = join(first);
        if (p.failed().isCompletedExceptionally() && !stopRequested.isDone()) {
            throw asEgress(causeOf(p.failed()));
        }
        Throwable error = result instanceof Throwable && !stopRequested.isDone() ? (Throwable) result : null;
        if (!stopRequested.isDone()) {
            stop(EndReason.SOURCE_CLOSED);
        }
        return error;
    }

    /** Ends the source and the beds, and waits until every output is finalised, or fails with "pipeline frozen". */
    private void finishPipeline(MediaSource source, RecordingPipeline p) throws InterruptedException {
        source.endMedia();
        p.endBeds();
        CompletableFuture<Object> first = CompletableFuture.anyOf(p.outputsFinished(), p.failed());
        try {
            first.get(options.eosTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw EgressException.pipelineFrozen();
        } catch (ExecutionException e) {
            throw asEgress(e.getCause());
        }
    }

    private void finalizeOutputs(long endedAt) throws IOException {
        endStreams(endedAt, null);
        if (fileSink != null) {
            finalizeFile(plan.file().orElseThrow(), endedAt);
        }
    }

    /** Stream results end with the recording: FINISHED, or FAILED with the egress's error. */
    private void endStreams(long endedAt, String error) {
        tracker.update(b -> {
            for (int i = 0; i < b.getStreamResultsCount(); i++) {
                StreamInfo.Builder si = b.getStreamResults(i).toBuilder();
                if (si.getStatus() == StreamInfo.Status.ACTIVE) {
                    si.setEndedAt(endedAt).setDuration(endedAt - (si.getStartedAt() == 0 ? endedAt : si.getStartedAt()));
                    if (error == null) {
                        si.setStatus(StreamInfo.Status.FINISHED);
                    } else {
                        si.setStatus(StreamInfo.Status.FAILED).setError(error);
                    }
                }
                b.setStreamResults(i, si);
            }
            if (b.hasStream()) {
                b.setStream(b.getStream().toBuilder().clearInfo().addAllInfo(b.getStreamResultsList()));
            }
            return b;
        });
    }

    private void finalizeFile(FilePlan file, long endedAt) throws IOException {
        recordFile(endedAt, Files.size(localFile), null);
        String location;
        try {
            location = uploader.upload(localFile, file.storagePath(), file.type().mime()).location();
        } catch (IOException e) {
            // The local file stays where it is: nothing is lost, the caller can retry the upload.
            throw EgressException.uploadFailed(uploader.provider(), e);
        }
        tracker.update(b -> {
            b.setFileResults(0, b.getFileResults(0).toBuilder().setLocation(location));
            if (b.hasFile()) {
                b.setFile(b.getFileResults(0));
            }
            return b;
        });
        if (!file.disableManifest()) {
            writeManifest(file, location, endedAt);
        }
    }

    /** After a failure, report what the crash-safe file on disk holds so nothing recorded goes unnoticed. */
    private void recordPartialFile() {
        Path f = localFile;
        if (f == null || startedAtNs == 0 || !Files.exists(f)) {
            return;
        }
        EgressInfo now = tracker.snapshot();
        if (now.getFileResultsCount() == 0 || now.getFileResults(0).getSize() > 0) {
            return;
        }
        recordFile(tracker.nowNs(), bytesWritten(), f.toAbsolutePath().toString());
    }

    private void recordFile(long endedAt, long size, String location) {
        tracker.update(b -> {
            FileInfo.Builder f = b.getFileResults(0).toBuilder()
                    .setEndedAt(endedAt)
                    .setDuration(endedAt - (startedAtNs == 0 ? endedAt : startedAtNs))
                    .setSize(size);
            if (startedAtNs == 0) {
                f.setStartedAt(endedAt);
            }
            if (location != null) {
                f.setLocation(location);
            }
            b.setFileResults(0, f);
            if (b.hasFile()) {
                b.setFile(f);
            }
            return b;
        });
    }

    private void writeManifest(FilePlan file, String location, long endedAt) {
        Manifest manifest = Manifest.of(plan);
        manifest.addFile(file.storagePath(), location);
        manifest.endedAt(endedAt);
        String dir = parentOf(file.storagePath());
        String manifestPath = dir + plan.egressId() + ".json";
        try {
            Path tmp = workDir.resolve(plan.egressId() + ".json");
            Files.write(tmp, manifest.toJson());
            String where = uploader.upload(tmp, manifestPath, "application/json").location();
            tracker.update(b -> b.setManifestLocation(where));
        } catch (IOException e) {
            // Upstream logs and carries on: a missing manifest does not fail the recording.
            LOG.warn("{}: failed to write manifest {}: {}", plan.egressId(), manifestPath, e.getMessage());
        }
    }

    private static String parentOf(String storagePath) {
        int slash = storagePath.lastIndexOf('/');
        return slash < 0 ? "" : storagePath.substring(0, slash + 1);
    }

    private void fail(EgressException e) {
        LOG.warn("{}: failed: {}", plan.egressId(), e.getMessage());
        synchronized (lifecycle) {
            if (tracker.status() == EgressStatus.EGRESS_ABORTED) {
                return;
            }
            tracker.failed(e);
            stopRequested.complete(EndReason.FAILURE);
        }
    }

    private void cleanup(MediaSource source, RecordingPipeline p) {
        timers.shutdownNow();
        closeQuietly(p);
        if (building != null) {
            // A build still running when the egress failed early is released once it completes.
            closeQuietly(building.handle((built, error) -> built).join());
        }
        pipeline = null;
        if (source != null) {
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: closing source: {}", plan.egressId(), e.toString());
            }
        }
        if (tracker.status() == EgressStatus.EGRESS_FAILED) {
            recordPartialFile();
            endStreams(tracker.nowNs(), tracker.snapshot().getError());
        }
        for (OutputSink o : outputs) {
            try {
                o.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: closing output: {}", plan.egressId(), e.toString());
            }
        }
        uploader.close();
        deleteWorkDir();
        EgressInfo last;
        synchronized (lifecycle) {
            if (!tracker.isTerminal()) {
                // Defensive: every path above ends in a final state; never leave a caller waiting on STARTING.
                tracker.failed(EgressException.internal("egress ended without a final state", null));
            }
            last = tracker.snapshot();
            tracker.publish();
            done.complete(last);
        }
        LOG.info("{}: {} {}", plan.egressId(), last.getStatus(), last.getError());
    }

    private void closeQuietly(RecordingPipeline p) {
        if (p == null) {
            return;
        }
        try {
            p.close();
        } catch (RuntimeException e) {
            LOG.warn("{}: releasing pipeline: {}", plan.egressId(), e.toString());
        }
    }

    private void deleteWorkDir() {
        if (!Files.exists(workDir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(workDir)) {
            List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path path : paths) {
                if (localFile != null && path.equals(localFile)) {
                    // A file that could not be uploaded stays on disk.
                    continue;
                }
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.debug("{}: work dir cleanup: {}", plan.egressId(), e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------- limits

    private void startSessionLimitTimer() {
        SessionLimits limits = options.config().sessionLimits();
        Duration d = limits == null ? Duration.ZERO : limits.fileOutputMaxDuration();
        if (d != null && !d.isZero() && !d.isNegative() && !plan.files().isEmpty()) {
            timers.schedule(this::limitReached, d.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void startSizeMonitor() {
        SessionLimits limits = options.config().sessionLimits();
        long max = limits == null ? 0 : limits.fileOutputMaxSize();
        if (max <= 0) {
            return;
        }
        long every = options.sizeCheckInterval().toMillis();
        timers.scheduleWithFixedDelay(() -> {
            if (bytesWritten() >= max) {
                LOG.info("{}: output reached {} bytes (limit {})", plan.egressId(), bytesWritten(), max);
                limitReached();
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Creates the outputs and the recording around them, in a new pipeline or the source's. */
    private RecordingPipeline buildRecording(org.freedesktop.gstreamer.Pipeline existing,
            RecordingPipeline.Layout layout) {
        EgressPlan pl = plan;
        List<OutputSink> created = new ArrayList<>();
        try {
            Optional<FilePlan> file = pl.file();
            if (file.isPresent()) {
                FilePlan f = file.get();
                Path local = uploader.directPath(f.storagePath())
                        .orElse(workDir.resolve(Path.of(f.storagePath()).getFileName()));
                Files.createDirectories(local.toAbsolutePath().getParent());
                localFile = local;
                fileSink = sinkProviders.apply(f.type()).create(new OutputTarget.File(f.type(), local), pl.audio(),
                        pl.video());
                created.add(fileSink);
            }
            if (pl.webSocket().isPresent()) {
                created.add(sinkProviders.apply(OutputType.RAW).create(
                        new OutputTarget.WebSocket(pl.webSocket().get().url()), pl.audio(), pl.video()));
            }
            outputs = List.copyOf(created);
            for (OutputSink o : created) {
                o.open();
            }
            return RecordingPipeline.build(pl.egressId(), existing, layout, pl.video(), pl.audio(), created,
                    options.config().videoEncoderThreads());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits for the background pipeline build, rethrowing its failure as it happened. */
    private static RecordingPipeline built(CompletableFuture<RecordingPipeline> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw asEgress(e.getCause());
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static Object join(CompletableFuture<Object> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    private static EgressException asEgress(Throwable t) {
        if (t instanceof EgressException) {
            return (EgressException) t;
        }
        if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            return asEgress(t.getCause());
        }
        return EgressException.internal(String.valueOf(t.getMessage()), t);
    }
}
