package org.jegress.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.GstObject;
import org.jegress.api.config.ConfigLoader;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.plan.StreamIngests;
import org.jegress.api.plan.StreamUrl;
import org.jegress.api.plan.StreamUrls;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.jegress.api.time.ManualScheduler;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;
import org.jegress.pipeline.spi.RecordingInputs;
import org.jegress.pipeline.spi.SourceContext;
import org.jegress.pipeline.spi.SourceProvider;
import org.jegress.pipeline.spi.StreamDestinations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session's state machine on fakes: no GStreamer, no browser; timers driven by a {@link ManualScheduler}. The
 * recording plays at once, and its outputs finish as soon as the beds are ended.
 */
class EgressSessionTest {

    static final String RTMP = "rtmp://127.0.0.1:1935/live/streamkey";
    static final String RTMP_REDACTED = "rtmp://127.0.0.1:1935/live/{str...key}";

    @TempDir
    Path dir;
    private final ManualScheduler time = new ManualScheduler();
    private final List<EgressInfo> published = new CopyOnWriteArrayList<>();
    private final List<FakeOutput> outputs = new CopyOnWriteArrayList<>();
    private volatile FakeSource source;
    private volatile boolean nextSourceEarly;
    private final CompletableFuture<Recording> recordingBuilt = new CompletableFuture<>();

    // ------------------------------------------------------------------------------------------- fakes

    /** A source that starts at once (or waits for {@link #signalStart}) and never ends by itself. */
    private final class FakeSource implements MediaSource {
        final CompletableFuture<Void> start = new CompletableFuture<>();
        final CompletableFuture<Void> end = new CompletableFuture<>();
        /** When set, ending the media blocks until it completes (a deadlocked streaming thread). */
        volatile CompletableFuture<Void> endMediaBlocked;
        final CompletableFuture<Void> endMediaEntered = new CompletableFuture<>();
        volatile boolean closed;
        /** When set, the source runs a pipeline the recording joins, already before it prepares. */
        volatile boolean earlyPipeline;
        /** Whether the recording had been built when prepare() returned. */
        volatile boolean builtWhilePreparing;

        FakeSource(boolean startAtOnce) {
            if (startAtOnce) {
                start.complete(null);
            }
        }

        @Override
        public void prepare() {
            if (earlyPipeline) {
                // a join that takes its time: the recording is built meanwhile, or not at all
                builtWhilePreparing = recordingBuilt.completeOnTimeout(null, 5, java.util.concurrent.TimeUnit.SECONDS)
                        .join() != null;
            }
        }

        @Override
        public boolean ownsPipeline() {
            return earlyPipeline;
        }

        @Override
        public org.freedesktop.gstreamer.Pipeline pipeline() {
            return null;
        }

        @Override
        public boolean pipelineBeforePrepare() {
            return earlyPipeline;
        }

        @Override
        public CompletableFuture<Void> startSignal() {
            return start;
        }

        @Override
        public CompletableFuture<Void> endSignal() {
            return end;
        }

        @Override
        public void attach(RecordingInputs inputs) {
        }

        @Override
        public void endMedia() {
            CompletableFuture<Void> b = endMediaBlocked;
            endMediaEntered.complete(null);
            if (b != null) {
                b.join();
            }
        }

        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** An output that finishes when the recording ends its beds; a file one writes a few bytes. */
    private class FakeOutput implements OutputSink {
        final OutputTarget target;
        final OutputContext context;
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        volatile boolean finishCalled;

        FakeOutput(OutputTarget target, OutputContext context) {
            this.target = target;
            this.context = context;
        }

        @Override
        public Bin bin() {
            return null;
        }

        @Override
        public CompletableFuture<Void> finished() {
            return finished;
        }

        @Override
        public Path localFile() {
            return target instanceof OutputTarget.File f ? f.localFile() : null;
        }

        @Override
        public void finish() {
            finishCalled = true;
        }

        void end() {
            if (target instanceof OutputTarget.File f) {
                try {
                    Files.write(f.localFile(), new byte[] {1, 2, 3});
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            finished.complete(null);
        }

        @Override
        public String toString() {
            return target.getClass().getSimpleName();
        }
    }

    private final class FakeStream extends FakeOutput implements StreamDestinations {
        final List<StreamUrl> active = new CopyOnWriteArrayList<>();

        FakeStream(OutputTarget.Stream target, OutputContext context) {
            super(target, context);
            active.addAll(target.plan().urls());
        }

        @Override
        public void add(StreamUrl url) {
            active.add(url);
        }

        @Override
        public void remove(StreamUrl url) {
            active.remove(url);
        }

        @Override
        public List<StreamUrl> active() {
            return List.copyOf(active);
        }

        /** What a real sink does when a destination fails for good. */
        void failDestination(StreamUrl url, String error) {
            active.remove(url);
            context.results().streamFailed(url.redacted(), error);
            context.listener().destinationFailed(url, error);
        }
    }

    private final class FakeRecording implements Recording {
        final CompletableFuture<Void> flowing = new CompletableFuture<>();
        final CompletableFuture<Void> failed = new CompletableFuture<>();
        final List<OutputSink> attached = new CopyOnWriteArrayList<>();

        @Override
        public RecordingInputs inputs() {
            return null;
        }

        @Override
        public void play() {
            flowing.complete(null);
        }

        @Override
        public CompletableFuture<Void> mixersStarted() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> flowing() {
            return flowing;
        }

        @Override
        public CompletableFuture<Void> failed() {
            return failed;
        }

        @Override
        public void ignoreErrorsFrom(Predicate<GstObject> owner) {
        }

        @Override
        public void attach(OutputSink output) {
            attached.add(output);
        }

        @Override
        public CompletableFuture<Void> detach(OutputSink output, boolean graceful) {
            attached.remove(output);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void endBeds() {
            for (OutputSink o : attached) {
                ((FakeOutput) o).end();
            }
        }

        @Override
        public CompletableFuture<Void> outputsFinished() {
            return CompletableFuture.allOf(attached.stream().map(OutputSink::finished)
                    .toArray(CompletableFuture[]::new));
        }

        @Override
        public String dot() {
            return "";
        }

        @Override
        public void close() {
        }
    }

    /** Keeps stored files where they are and says so. */
    private static final class InPlace implements Uploader {
        @Override
        public Optional<Path> directPath(String storagePath) {
            return Optional.empty();
        }

        @Override
        public UploadResult upload(Path localFile, String storagePath, String contentType) throws IOException {
            return new UploadResult("mem://" + storagePath, Files.size(localFile));
        }

        @Override
        public String provider() {
            return "memory";
        }
    }

    // ------------------------------------------------------------------------------------------- harness

    private EgressSession start(WebEgressRequest.Builder request, String config, boolean startAtOnce) {
        EgressOptions options = EgressOptions.defaults().withConfig(ConfigLoader.parse(config, Map.of()))
                .withOutputDirectory(dir).withWorkRoot(dir.resolve("work")).withScheduler(time)
                .withZone(ZoneOffset.UTC);
        EgressPlan plan = new EgressPlanner(options.config(), time.clock(), ZoneOffset.UTC).plan(StartEgressRequest
                .newBuilder().setEgressId("EG_session").setWeb(request).build());
        source = new FakeSource(startAtOnce);
        source.earlyPipeline = nextSourceEarly;
        SourceProvider sources = new SourceProvider() {
            @Override
            public boolean supports(EgressPlan p) {
                return true;
            }

            @Override
            public MediaSource create(EgressPlan p, SourceContext context) {
                return source;
            }
        };
        OutputSinkProvider sinks = new OutputSinkProvider() {
            @Override
            public boolean supports(OutputTarget target) {
                return true;
            }

            @Override
            public OutputSink create(OutputTarget target, OutputContext context) {
                FakeOutput o = target instanceof OutputTarget.Stream s ? new FakeStream(s, context)
                        : new FakeOutput(target, context);
                outputs.add(o);
                return o;
            }
        };
        EgressSession session = new EgressSession(plan, options, sources, t -> sinks, t -> new InPlace(),
                (p, existing, created, failed) -> {
                    FakeRecording r = new FakeRecording();
                    created.forEach(r::attach);
                    recordingBuilt.complete(r);
                    return r;
                }, new StreamUrls(StreamIngests.NONE));
        session.addListener(published::add);
        session.start();
        return session;
    }

    private static WebEgressRequest.Builder page() {
        return WebEgressRequest.newBuilder().setUrl("https://example.com/");
    }

    private EgressInfo await(EgressSession s, Predicate<EgressInfo> test) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (test.test(s.info())) {
                return s.info();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not reached; last " + s.info());
    }

    private EgressInfo awaitActive(EgressSession s) throws InterruptedException {
        return await(s, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE);
    }

    private EgressInfo end(EgressSession s) throws InterruptedException {
        return s.awaitCompletion(Duration.ofSeconds(10)).orElseThrow();
    }

    private FakeStream stream() {
        return (FakeStream) outputs.stream().filter(o -> o instanceof FakeStream).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------- tests

    @Test
    void stopEndsCompleteWithTheFileStoredAndEveryOutputCompleted() throws Exception {
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("a.mp4")), "", true);
        awaitActive(s);
        time.advance(Duration.ofSeconds(5));
        assertThat(s.stop().getStatus()).isEqualTo(EgressStatus.EGRESS_ENDING);
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(published).extracting(EgressInfo::getStatus).containsExactly(EgressStatus.EGRESS_ACTIVE,
                EgressStatus.EGRESS_ENDING, EgressStatus.EGRESS_COMPLETE);
        assertThat(end.getFileResults(0).getLocation()).isEqualTo("mem://a.mp4");
        assertThat(end.getFileResults(0).getSize()).isEqualTo(3);
        assertThat(end.getFileResults(0).getDuration()).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(end.getManifestLocation()).isEqualTo("mem://EG_session.json");
        assertThat(outputs).allMatch(o -> o.finishCalled);
        assertThat(source.closed).isTrue();
    }

    @Test
    void aSourceWhosePipelineRunsBeforeItPreparesGetsItsRecordingBuiltMeanwhile() throws Exception {
        nextSourceEarly = true;
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("early.mp4")), "",
                true);
        await(s, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE);
        assertThat(source.builtWhilePreparing).as("built while the source prepared").isTrue();
        assertThat(s.recording()).isSameAs(recordingBuilt.join());
        s.stop();
        assertThat(s.awaitCompletion().getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
    }

    @Test
    void anEndThatNeverFinishesIsReportedFrozenWithTheFileAsItIs() throws Exception {
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("a.mp4")), "", true);
        awaitActive(s);
        source.endMediaBlocked = new CompletableFuture<>();
        try {
            time.advance(Duration.ofSeconds(5));
            assertThat(s.stop().getStatus()).isEqualTo(EgressStatus.EGRESS_ENDING);
            source.endMediaEntered.get(5, java.util.concurrent.TimeUnit.SECONDS); // the session is inside the end
            time.advance(EgressOptions.defaults().eosTimeout());
            assertThat(s.awaitCompletion(Duration.ofMillis(200))).as("still within the grace").isEmpty();
            time.advance(EgressSession.ENDING_GRACE);
            EgressInfo end = s.awaitCompletion(Duration.ofSeconds(5)).orElseThrow();
            assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
            assertThat(end.getError()).isEqualTo("pipeline frozen");
            assertThat(published).extracting(EgressInfo::getStatus).endsWith(EgressStatus.EGRESS_FAILED);
        } finally {
            source.endMediaBlocked.complete(null);
            // the unblocked session finishes its end in the background: let it, before the directory goes
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!source.closed && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
    }

    @Test
    void theSmallestSessionLimitOfTheOutputsApplies() throws Exception {
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("a.mp4"))
                .addStreamOutputs(StreamOutput.newBuilder().addUrls(RTMP)),
                "session_limits:\n  file_output_max_duration: 1h\n  stream_output_max_duration: 10s\n", true);
        awaitActive(s);
        time.advance(Duration.ofSeconds(9));
        assertThat(s.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        time.advance(Duration.ofSeconds(1));
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_LIMIT_REACHED);
        assertThat(end.getError()).isEqualTo("Session limit reached");
        assertThat(end.getErrorCode()).isEqualTo(413);
        assertThat(end.getDetails()).isEqualTo("End reason: Session limit reached");
        // outputs are still finalised and stored
        assertThat(end.getFileResults(0).getLocation()).isEqualTo("mem://a.mp4");
        assertThat(end.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
    }

    @Test
    void aLimitBeforeTheStartSignalAborts() throws Exception {
        EgressSession s = start(page().setAwaitStartSignal(true).addFileOutputs(EncodedFileOutput.newBuilder()
                .setFilepath("a.mp4")), "session_limits:\n  file_output_max_duration: 30s\n", false);
        Thread.sleep(100);
        time.advance(Duration.ofSeconds(30));
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_ABORTED);
        assertThat(end.getError()).isEqualTo("Session limit reached before start signal");
        assertThat(end.getErrorCode()).isEqualTo(412);
    }

    @Test
    void theLastDestinationFailingFailsTheEgressWithItsError() throws Exception {
        EgressSession s = start(page().addStreamOutputs(StreamOutput.newBuilder().addUrls(RTMP)), "", true);
        awaitActive(s);
        FakeStream stream = stream();
        stream.failDestination(stream.active().get(0), "Connection refused");
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(end.getError()).isEqualTo("Connection refused");
        assertThat(end.getErrorCode()).isEqualTo(503);
        assertThat(end.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FAILED);
    }

    @Test
    void aFailedDestinationNextToAFileLeavesTheEgressRecording() throws Exception {
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("a.mp4"))
                .addStreamOutputs(StreamOutput.newBuilder().addUrls(RTMP)), "", true);
        awaitActive(s);
        FakeStream stream = stream();
        stream.failDestination(stream.active().get(0), "Connection refused");
        time.advance(Duration.ofSeconds(2));
        assertThat(s.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        s.stop();
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(end.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FAILED);
        assertThat(end.getStreamResults(0).getError()).isEqualTo("Connection refused");
    }

    @Test
    void updateStreamAddsAndRemovesAndTheLastRemovalEndsTheEgress() throws Exception {
        EgressSession s = start(page().addStreamOutputs(StreamOutput.newBuilder().addUrls(RTMP)), "", true);
        awaitActive(s);
        EgressInfo added = s.updateStream(List.of("rtmp://127.0.0.1:1935/live/otherkey"), List.of());
        assertThat(added.getStreamResultsList()).extracting(StreamInfo::getUrl).containsExactly(RTMP_REDACTED,
                "rtmp://127.0.0.1:1935/live/{ot...ey}");
        assertThat(stream().active()).hasSize(2);
        s.updateStream(List.of(), List.of(RTMP_REDACTED));
        assertThat(s.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        assertThat(s.info().getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
        s.updateStream(List.of(), List.of("rtmp://127.0.0.1:1935/live/otherkey"));
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(end.getDetails()).isEqualTo("End reason: All streams stopped");
        assertThat(end.getStreamResultsList()).allMatch(i -> i.getStatus() == StreamInfo.Status.FINISHED);
    }

    @Test
    void updateStreamOnAnEgressWithoutStreams() throws Exception {
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("a.mp4")), "", true);
        awaitActive(s);
        assertThatThrownBy(() -> s.updateStream(List.of(RTMP), List.of())).isInstanceOf(EgressException.class)
                .hasMessage("UpdateStream called on non-streaming egress");
        s.stop();
        end(s);
    }

    @Test
    void anOutputFailingAloneKeepsTheOthersAndFailsTheEgressAtTheEnd() throws Exception {
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("a.mp4"))
                .addImageOutputs(ImageOutput.newBuilder()), "", true);
        awaitActive(s);
        FakeOutput images = outputs.stream().filter(o -> o.target instanceof OutputTarget.Images).findFirst()
                .orElseThrow();
        images.context.listener().failed("memory upload failed: disk full");
        time.advance(Duration.ofSeconds(3));
        assertThat(s.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        s.stop();
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(end.getError()).isEqualTo("memory upload failed: disk full");
        // the file was still finalised and stored
        assertThat(end.getFileResults(0).getLocation()).isEqualTo("mem://a.mp4");
    }

    @Test
    void aRecordingErrorFailsTheEgress() throws Exception {
        EgressSession s = start(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("a.mp4")), "", true);
        awaitActive(s);
        FakeRecording r = (FakeRecording) s.recording();
        r.failed.completeExceptionally(EgressException.internal("Internal data stream error.", null));
        EgressInfo end = end(s);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(end.getError()).isEqualTo("Internal data stream error.");
        assertThat(end.getErrorCode()).isEqualTo(500);
    }
}
