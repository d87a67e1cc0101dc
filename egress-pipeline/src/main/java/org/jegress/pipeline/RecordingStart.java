package org.jegress.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.freedesktop.gstreamer.Pipeline;
import org.jegress.api.error.EgressException;
import org.jegress.pipeline.spi.MediaSource;

/**
 * How a recording comes to life around a source. A display capture (web) gets a pipeline of its own, built in the
 * background while the browser starts, then its source is attached and it plays. A room connection already runs a
 * pipeline (webrtcbin): the recording is built inside it (once the tracks are known, or while the recorder joins
 * when what it records does not depend on them), plays, waits for its mixers to start from their beds, and only then
 * are the tracks fed in (see {@code RecordingPipeline.mixersStarted}).
 */
abstract class RecordingStart {

    /** Builds the recording: in a new pipeline (null) or the source's. */
    interface Builder extends Function<Pipeline, Recording> {
    }

    static RecordingStart of(MediaSource source, Builder builder) {
        return source.ownsPipeline() ? new Joined(source, builder) : new Own(builder);
    }

    /** Called before the source prepares. */
    abstract void beforePrepare();

    /** The recording, once the source is prepared and started. */
    abstract Recording recording() throws InterruptedException;

    /** Connects the source and plays. */
    abstract void start(MediaSource source, Recording recording) throws InterruptedException;

    /** The recording being built, if any (to release it when the egress ends early). */
    abstract CompletableFuture<Recording> pending();

    /** A pipeline of the recording's own, built while the source starts. */
    private static final class Own extends RecordingStart {
        private final Builder builder;
        private CompletableFuture<Recording> building;

        Own(Builder builder) {
            this.builder = builder;
        }

        @Override
        void beforePrepare() {
            building = CompletableFuture.supplyAsync(() -> builder.apply(null));
        }

        @Override
        Recording recording() throws InterruptedException {
            try {
                return building.get();
            } catch (ExecutionException e) {
                throw EgressSession.asEgress(e.getCause());
            }
        }

        @Override
        void start(MediaSource source, Recording recording) {
            source.attach(recording.inputs());
            recording.play();
        }

        @Override
        CompletableFuture<Recording> pending() {
            return building;
        }
    }

    /**
     * The source's running pipeline, joined once the source knows what it records, or built into it while the source
     * prepares when the source allows ({@link MediaSource#pipelineBeforePrepare()}).
     */
    private static final class Joined extends RecordingStart {
        private final MediaSource source;
        private final Builder builder;
        private CompletableFuture<Recording> building;

        Joined(MediaSource source, Builder builder) {
            this.source = source;
            this.builder = builder;
        }

        @Override
        void beforePrepare() {
            if (source.pipelineBeforePrepare()) {
                Pipeline pipeline = source.pipeline();
                building = CompletableFuture.supplyAsync(() -> builder.apply(pipeline));
            }
        }

        @Override
        Recording recording() throws InterruptedException {
            if (building == null) {
                return builder.apply(source.pipeline());
            }
            try {
                return building.get();
            } catch (ExecutionException e) {
                throw EgressSession.asEgress(e.getCause());
            }
        }

        @Override
        void start(MediaSource src, Recording recording) throws InterruptedException {
            // The source's pipeline already runs: the recording must too before a track feeds it, or the track's
            // streaming thread would hit a flushing branch and stop.
            recording.play();
            try {
                CompletableFuture.anyOf(recording.mixersStarted(), recording.failed()).get(2, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // errors surface while waiting for media; a slow mixer start only costs the alignment
                if (e instanceof ExecutionException ee && ee.getCause() instanceof EgressException) {
                    throw (EgressException) ee.getCause();
                }
            }
            src.attach(recording.inputs());
        }

        @Override
        CompletableFuture<Recording> pending() {
            return building;
        }
    }
}
