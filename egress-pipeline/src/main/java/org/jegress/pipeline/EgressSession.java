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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.freedesktop.gstreamer.Pipeline;
import org.jegress.api.config.SessionLimits;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.manifest.Manifest;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.SourceKind;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.plan.StreamUrls;
import org.jegress.api.status.EgressResults;
import org.jegress.api.status.EgressStatusTracker;
import org.jegress.api.status.EndReason;
import org.jegress.api.storage.Uploader;
import org.jegress.api.time.Scheduler;
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
 * The state machine of one egress, from request to final EgressInfo, on its own thread: prepare the source, wait for
 * the start signal, play, wait for a stop, the source's end, an error, a session limit or the last output going
 * away, send EOS and wait until every output is finalised, deliver, report. Whatever happens, the source is closed,
 * the recording released and a final state published; a partial recording is finalised and kept.
 *
 * <p>The media are behind the {@link Recording} port, the outputs in {@link SessionOutputs}, their delivery in
 * {@link Deliveries}; how the recording is started around its source is {@link RecordingStart}'s job. Timers run on
 * the injected {@link Scheduler}, so limits are tested without sleeping.
 */
final class EgressSession implements EgressHandle, SessionOutputs.Session {

    private static final Logger LOG = LoggerFactory.getLogger(EgressSession.class);

    /** Builds the recording for a plan, its outputs already created, in a new pipeline (null) or the source's. */
    interface RecordingFactory {
        Recording build(EgressPlan plan, Pipeline existing, List<OutputSink> outputs,
                java.util.function.BiConsumer<OutputSink, String> outputFailed);
    }

    private volatile EgressPlan plan;
    private final EgressOptions options;
    private final SourceProvider sourceProvider;
    private final RecordingFactory recordings;
    private final Path workDir;
    private final EgressStatusTracker tracker;
    private final EgressResults results;
    private final Manifest manifest;
    private final Scheduler scheduler;
    /** The scheduler this session made for itself (none handed in), closed at the end. */
    private final SystemScheduler ownScheduler;
    private final Uploaders uploaders;
    private final SessionOutputs outputs;
    private final Thread thread;
    private final List<Scheduler.Task> timers = new ArrayList<>();

    /** Completed with the reason once a stop was requested (API, signal, limit, source end, last output gone). */
    private final CompletableFuture<EndReason> stopRequested = new CompletableFuture<>();
    private final CompletableFuture<EgressInfo> done = new CompletableFuture<>();
    private final Object lifecycle = new Object();

    private volatile boolean awaitingStartSignal;
    private volatile Recording recording;
    private volatile RecordingStart start;
    private volatile long startedAtNs;
    /** Set when the last output failed: the egress ends FAILED with it, after finalising what it has. */
    private volatile EgressException outputsFailure;

    EgressSession(EgressPlan plan, EgressOptions options, SourceProvider sourceProvider,
            Function<OutputTarget, OutputSinkProvider> sinks, Function<StorageTarget, Uploader> storage,
            RecordingFactory recordings, StreamUrls streamUrls) {
        this.plan = plan;
        this.options = options;
        this.sourceProvider = sourceProvider;
        this.recordings = recordings;
        // only a page can be waiting for a start signal; a room source starts with its first media
        this.awaitingStartSignal = plan.sourceKind() == SourceKind.WEB;
        this.workDir = options.workRoot().resolve(plan.egressId());
        this.ownScheduler = options.scheduler() == null
                ? new SystemScheduler(options.clock(), "egress-timer-" + plan.egressId()) : null;
        this.scheduler = options.scheduler() == null ? ownScheduler : options.scheduler();
        this.tracker = new EgressStatusTracker(plan.info(), scheduler.clock());
        this.results = new EgressResults(tracker);
        StorageTarget backup = StorageTarget.backup(options.config());
        this.uploaders = new Uploaders(plan.egressId(), storage, backup, openJournal(options, plan.egressId(), backup),
                options.uploadObserver(), () -> tracker.update(b -> b.setBackupStorageUsed(true)));
        this.manifest = Manifest.of(plan);
        this.outputs = new SessionOutputs(plan.egressId(), options.config(), results, manifest, scheduler, workDir, sinks, uploaders,
                streamUrls, this);
        this.thread = new Thread(this::run, "egress-" + plan.egressId());
    }

    void start() {
        thread.start();
    }

    private static UploadJournal openJournal(EgressOptions options, String egressId, StorageTarget backup) {
        try {
            return UploadJournal.create(options.journalDirectory(), egressId, backup);
        } catch (IOException e) {
            LOG.warn("{}: no upload journal ({}): a crash would leave unstored files to the operator", egressId,
                    e.toString());
            return null;
        }
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
            outputs.ending();
            stopRequested.complete(reason);
        }
        return tracker.snapshot();
    }

    @Override
    public EgressInfo updateStream(List<String> addUrls, List<String> removeUrls) {
        synchronized (lifecycle) {
            if (tracker.status() != EgressStatus.EGRESS_ACTIVE && tracker.status() != EgressStatus.EGRESS_STARTING) {
                throw new EgressException(org.jegress.api.error.ErrorCode.FAILED_PRECONDITION,
                        "egress with status " + tracker.status() + " cannot be updated");
            }
        }
        return outputs.updateStream(addUrls, removeUrls);
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
            outputs.ending();
            stopRequested.complete(EndReason.LIMIT_REACHED);
        }
    }

    @Override
    public void lastOutputGone(EgressException failure) {
        if (failure != null) {
            outputsFailure = failure;
            synchronized (lifecycle) {
                if (!stopRequested.isDone() && !tracker.isTerminal()) {
                    tracker.endReason(EndReason.FAILURE);
                    outputs.ending();
                    stopRequested.complete(EndReason.FAILURE);
                }
            }
        } else {
            stop(EndReason.STREAMS_STOPPED);
        }
    }

    @Override
    public Recording recording() {
        return recording;
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
        return outputs.bytesWritten();
    }

    @Override
    public String pipelineDot() {
        Recording r = recording;
        return r == null ? "" : r.dot();
    }

    // ------------------------------------------------------------------------------------------- run

    private void run() {
        MediaSource source = null;
        Recording r = null;
        try {
            Files.createDirectories(workDir);
            startTimeLimit();

            long t0 = System.nanoTime();
            SourceListener relay = new SourceListener() {
                @Override
                public void trackMuted(String trackId, boolean muted) {
                    outputs.trackMuted(muted);
                }
            };
            source = sourceProvider.create(plan, new SourceContext(options.config(), workDir, scheduler.clock(),
                    relay));
            MediaSource src = source;
            RecordingStart how = RecordingStart.of(source, existing -> build(existing, src));
            start = how;
            how.beforePrepare();
            LOG.info("{}: preparing {}", plan.egressId(), source.describe());
            source.prepare();
            long prepared = System.nanoTime();
            adopt(source.resolve(plan));

            if (!awaitStart(source)) {
                return;
            }
            long startSignal = System.nanoTime();
            r = how.recording();
            recording = r;
            r.ignoreErrorsFrom(src::handlesErrorsOf);
            long built = System.nanoTime();
            how.start(source, r);
            awaitPlaying(r);
            LOG.info("{}: timings: source ready {} ms, start signal {} ms, pipeline built {} ms, media flowing {} ms",
                    plan.egressId(), ms(prepared - t0), ms(startSignal - prepared), ms(built - startSignal),
                    ms(System.nanoTime() - built));
            if (!goActive()) {
                // A stop or limit won the race with PLAYING: nothing worth keeping was recorded yet.
                return;
            }

            Throwable sourceError = awaitEnd(source, r);
            long endedAt = tracker.nowNs();
            Scheduler.Task watchdog = scheduler.schedule(options.eosTimeout().plus(ENDING_GRACE), this::endingFrozen);
            try {
                finishRecording(source, r);
            } finally {
                watchdog.cancel();
            }
            release(r);
            recording = null;
            source.close();
            String outputError = new Deliveries(plan, results, manifest, uploaders, workDir).finish(outputs, endedAt);
            if (sourceError != null) {
                // What was recorded is finalised and kept; the egress still reports that it ended early.
                fail(asEgress(sourceError));
                return;
            }
            if (outputsFailure != null) {
                fail(outputsFailure);
                return;
            }
            String failedAlone = outputs.firstError() != null ? outputs.firstError() : outputError;
            if (failedAlone != null) {
                fail(new EgressException(org.jegress.api.error.ErrorCode.INTERNAL, failedAlone));
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
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof EgressException ee) {
                fail(ee);
            } else {
                LOG.error("{}: unexpected failure", plan.egressId(), e);
                fail(EgressException.internal(String.valueOf(cause.getMessage()), cause));
            }
        } finally {
            cleanup(source, r);
        }
    }

    /** Creates the outputs and the recording around them (in a new pipeline or the source's). */
    private Recording build(Pipeline existing, MediaSource source) {
        EgressPlan p = plan;
        try {
            List<OutputSink> created = outputs.create(p);
            return recordings.build(p, existing, created, outputs::outputFailed);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Takes over the plan as the source completed it (output names and containers that depended on the room). */
    private void adopt(EgressPlan resolved) {
        if (resolved == plan) {
            return;
        }
        plan = resolved;
        results.fileNames(resolved.info());
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
            Throwable failed = source.endSignal().isCompletedExceptionally() ? causeOf(source.endSignal()) : null;
            if (failed != null) {
                // The source failed before it started (a template error, a crashed page): that is the reason.
                throw asEgress(failed);
            }
            // The page ended before it ever signalled start.
            stop(EndReason.SOURCE_CLOSED);
        }
        return false;
    }

    /** Waits until media flows from the source (see {@link Recording#flowing()}). */
    private void awaitPlaying(Recording r) throws InterruptedException {
        CompletableFuture<Object> first = CompletableFuture.anyOf(r.flowing(), r.failed(), stopRequested);
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
            results.recordingStarted(startedAtNs, plan.stream() != null && plan.stream().type() == OutputType.RTMP);
            manifest.startedAt(plan.info().getStartedAt());
            tracker.active();
        }
        LOG.info("{}: recording", plan.egressId());
        startSizeMonitor();
        return true;
    }

    /**
     * Waits until something ends the recording. Returns the source's error if it ended abnormally (the recording is
     * still finalised); throws if the recording failed (nothing can be finalised then).
     */
    private Throwable awaitEnd(MediaSource source, Recording r) throws InterruptedException {
        CompletableFuture<Object> first = CompletableFuture.anyOf(stopRequested, r.failed(),
                source.endSignal().handle((v, e) -> e == null ? EndReason.SOURCE_CLOSED : e));
        Object result = join(first);
        if (r.failed().isCompletedExceptionally() && !stopRequested.isDone()) {
            throw asEgress(causeOf(r.failed()));
        }
        Throwable error = result instanceof Throwable && !stopRequested.isDone() ? (Throwable) result : null;
        if (!stopRequested.isDone()) {
            stop(EndReason.SOURCE_CLOSED);
        }
        return error;
    }

    /**
     * Past the end's own time-out: a recording that still has not finished ending is stuck where no time-out of its own
     * reaches (a streaming thread deadlocked under a lock the source's end needs). It is reported FAILED "pipeline
     * frozen" now, with the file as it is on disk (a fragmented MP4 plays up to its last fragment), so that the caller
     * gets a final state instead of an egress ENDING forever; the stuck thread is left to the process's end.
     */
    private void endingFrozen() {
        EgressInfo last;
        synchronized (lifecycle) {
            if (tracker.isTerminal()) {
                return;
            }
            LOG.warn("{}: still ending {} s after the stop: the pipeline is frozen", plan.egressId(),
                    options.eosTimeout().plus(ENDING_GRACE).toSeconds());
            tracker.failed(EgressException.pipelineFrozen());
            recordFailedResults();
            last = tracker.snapshot();
            tracker.publish();
            done.complete(last);
        }
        LOG.info("{}: {} {}", plan.egressId(), last.getStatus(), last.getError());
    }

    /** A failed egress still reports what it recorded: the file as it is on disk, its streams ended with the error. */
    private void recordFailedResults() {
        new Deliveries(plan, results, manifest, uploaders, workDir).recordPartialFile(outputs, startedAtNs);
        results.streamsEnded(tracker.nowNs(), tracker.snapshot().getError());
    }

    /** How much longer than the outputs' EOS time-out an end may take before {@link #endingFrozen}. */
    static final Duration ENDING_GRACE = Duration.ofSeconds(15);

    /** Ends the source and the beds, and waits until every output is finalised, or fails with "pipeline frozen". */
    private void finishRecording(MediaSource source, Recording r) throws InterruptedException {
        source.endMedia();
        r.endBeds();
        CompletableFuture<Object> first = CompletableFuture.anyOf(r.outputsFinished(), r.failed());
        try {
            first.get(options.eosTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            List<String> stuck = outputs.all().stream().filter(o -> !o.finished().isDone())
                    .map(SessionOutputs::name).toList();
            LOG.warn("{}: outputs not finalised after {} s: {}", plan.egressId(), options.eosTimeout().toSeconds(),
                    stuck);
            dumpFrozenGraph(r);
            throw EgressException.pipelineFrozen();
        } catch (ExecutionException e) {
            throw asEgress(e.getCause());
        }
    }

    /**
     * A frozen pipeline is written where GStreamer writes its own graphs ({@code GST_DEBUG_DUMP_DOT_DIR}), when that
     * is set: which pads hold buffers and which caps were agreed is what a freeze report needs.
     */
    private void dumpFrozenGraph(Recording r) {
        String dir = System.getenv("GST_DEBUG_DUMP_DOT_DIR");
        if (dir == null || dir.isEmpty()) {
            return;
        }
        Path file = Path.of(dir, plan.egressId() + "-frozen.dot");
        try {
            Files.writeString(file, r.dot());
            LOG.warn("{}: pipeline graph written to {}", plan.egressId(), file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: cannot write the pipeline graph: {}", plan.egressId(), e.toString());
        }
    }

    private void fail(EgressException e) {
        LOG.warn("{}: failed: {}", plan.egressId(), e.getMessage());
        synchronized (lifecycle) {
            if (tracker.status() == EgressStatus.EGRESS_ABORTED) {
                return;
            }
            tracker.failed(e);
            outputs.ending();
            stopRequested.complete(EndReason.FAILURE);
        }
    }

    private void cleanup(MediaSource source, Recording r) {
        timers.forEach(Scheduler.Task::cancel);
        if (ownScheduler != null) {
            ownScheduler.close();
        }
        closeQuietly(r);
        RecordingStart how = start;
        CompletableFuture<Recording> pending = how == null ? null : how.pending();
        if (pending != null) {
            // A build still running when the egress failed early is released once it completes.
            closeQuietly(pending.handle((built, error) -> built).join());
        }
        recording = null;
        if (source != null) {
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: closing source: {}", plan.egressId(), e.toString());
            }
        }
        if (tracker.status() == EgressStatus.EGRESS_FAILED) {
            recordFailedResults();
        }
        outputs.closeAll();
        uploaders.close();
        deleteWorkDir();
        if (uploaders.journal() != null) {
            uploaders.journal().close();
        }
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

    private void closeQuietly(Recording r) {
        if (r == null) {
            return;
        }
        try {
            release(r);
        } catch (RuntimeException e) {
            LOG.warn("{}: releasing pipeline: {}", plan.egressId(), e.toString());
        }
    }

    /** How long tearing the pipeline down may take before the egress goes on without waiting for it. */
    static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Releases the pipeline, waiting at most {@link #RELEASE_TIMEOUT}. By now every output has its EOS (or gave up):
     * what was recorded is on disk. An element whose state change hangs (a network sink blocked on a peer that
     * stopped reading) must not keep the egress from storing its files and ending; the stuck pipeline is left to
     * its thread (a handler process exits after its egress anyway).
     */
    private void release(Recording r) {
        Thread t = new Thread(r::close, "release-" + plan.egressId());
        t.setDaemon(true);
        t.start();
        try {
            t.join(RELEASE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("{}: pipeline teardown still busy after {} s, going on without it", plan.egressId(),
                    RELEASE_TIMEOUT.toSeconds());
        }
    }

    /**
     * Deletes the work directory, except files not stored anywhere yet (the journal lists them; they stay for a
     * retry) and, when there is no journal, the file output.
     */
    private void deleteWorkDir() {
        if (!Files.exists(workDir)) {
            return;
        }
        List<Path> keep = new ArrayList<>();
        if (uploaders.journal() != null) {
            uploaders.journal().unstoredFiles().forEach(p -> keep.add(p.toAbsolutePath().normalize()));
        } else if (outputs.fileOutput() != null && outputs.fileOutput().localFile() != null) {
            keep.add(outputs.fileOutput().localFile().toAbsolutePath().normalize());
        }
        try (Stream<Path> walk = Files.walk(workDir)) {
            List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path path : paths) {
                Path abs = path.toAbsolutePath().normalize();
                if (keep.contains(abs) || Files.isDirectory(path) && keep.stream().anyMatch(k -> k.startsWith(abs))) {
                    continue;
                }
                if (Files.isDirectory(path)) {
                    try (Stream<Path> left = Files.list(path)) {
                        if (left.findAny().isPresent()) {
                            continue;
                        }
                    }
                }
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.debug("{}: work dir cleanup: {}", plan.egressId(), e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------- limits

    /** The smallest session limit of the egress's outputs, from the start of the session (upstream). */
    private void startTimeLimit() {
        SessionLimits limits = options.config().sessionLimits();
        if (limits == null) {
            return;
        }
        Duration d = limits.timeLimit(plan.file().isPresent(), plan.stream() != null || plan.webSocket().isPresent(),
                plan.segments() != null, !plan.images().isEmpty());
        if (!d.isZero()) {
            timers.add(scheduler.schedule(d, this::limitReached));
        }
    }

    private void startSizeMonitor() {
        SessionLimits limits = options.config().sessionLimits();
        long max = limits == null ? 0 : limits.fileOutputMaxSize();
        if (max <= 0) {
            return;
        }
        timers.add(scheduler.every(options.sizeCheckInterval(), () -> {
            if (bytesWritten() >= max) {
                LOG.info("{}: output reached {} bytes (limit {})", plan.egressId(), bytesWritten(), max);
                limitReached();
            }
        }));
    }

    // ------------------------------------------------------------------------------------------- helpers

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
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    static EgressException asEgress(Throwable t) {
        if (t instanceof EgressException) {
            return (EgressException) t;
        }
        if (t instanceof CompletionException && t.getCause() != null) {
            return asEgress(t.getCause());
        }
        return EgressException.internal(String.valueOf(t.getMessage()), t);
    }
}
