package org.jegress.pipeline.spi;

import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pipeline;
import org.jegress.api.plan.EgressPlan;

/**
 * Media for one egress. The session calls {@link #prepare()} once, waits for {@link #startSignal()}, then
 * {@link #attach attaches} the source to the recording, {@link #endMedia() ends} its media when the recording stops,
 * and finally {@link #close()}s the source whatever happened.
 */
public interface MediaSource extends AutoCloseable {

    /**
     * Starts what the source needs (display, browser, room connection) and blocks until it is ready.
     *
     * @throws org.jegress.api.error.EgressException with the upstream message on failure
     *         (e.g. "page load error: Not Found", "template error: …")
     * @throws InterruptedException if the egress was stopped meanwhile
     */
    void prepare() throws InterruptedException;

    /** Completes when recording may start: at once, or when the page logs START_RECORDING. */
    CompletableFuture<Void> startSignal();

    /**
     * Completes when the source ended on its own (END_RECORDING, room closed); completes exceptionally if the
     * source failed after {@link #prepare()} (browser crash, display lost).
     */
    CompletableFuture<Void> endSignal();

    /**
     * Connects the source's media to the recording, through the inputs handed out by {@code inputs}, and brings its
     * elements to the pipeline's state. Called once, after the start signal; a source whose media comes and goes (room
     * tracks) keeps using {@code inputs} afterwards, on its own threads.
     */
    void attach(RecordingInputs inputs);

    /**
     * Ends the source's media: sends EOS down everything it feeds into the recording, so the encoders drain and the
     * outputs finalise. Called once, when the recording stops; must not block on the pipeline.
     */
    void endMedia();

    /**
     * Whether the source runs its own pipeline (a room connection's webrtcbin), which the recording then joins via
     * {@link #pipeline()}; otherwise the recording builds its own pipeline, possibly before {@link #prepare()} ends.
     */
    default boolean ownsPipeline() {
        return false;
    }

    /**
     * The source's running pipeline, after {@link #prepare()} (before it too when {@link #pipelineBeforePrepare()});
     * only when {@link #ownsPipeline()}.
     */
    default Pipeline pipeline() {
        throw new UnsupportedOperationException("this source has no pipeline of its own");
    }

    /**
     * Whether {@link #pipeline()} already runs before {@link #prepare()} and {@link #resolve} will not change what
     * the outputs are, so that the recording can be built into it while the source prepares (a room composite's
     * encoders and outputs while the recorder joins). By default the recording waits for the prepared source.
     */
    default boolean pipelineBeforePrepare() {
        return false;
    }

    /**
     * The plan as the source completed it after {@link #prepare()}: a track's codec decides the container and
     * fills the {@code {track_id}}-style filename placeholders. By default the plan is complete already.
     */
    default EgressPlan resolve(EgressPlan plan) {
        return plan;
    }

    /**
     * Whether the source handles errors posted by this element itself (a room connection rejoins when its
     * webrtcbin fails); such errors then do not fail the recording.
     */
    default boolean handlesErrorsOf(GstObject element) {
        return false;
    }

    /** Short description for logs and status lines, e.g. "chromium on :97". */
    String describe();

    /** Releases every process and resource; safe to call more than once and after a failed {@link #prepare()}. */
    @Override
    void close();
}
