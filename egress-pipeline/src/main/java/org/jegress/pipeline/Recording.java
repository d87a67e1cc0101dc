package org.jegress.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import org.freedesktop.gstreamer.GstObject;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.RecordingInputs;

/**
 * The media side of one egress as the session sees it: one encode whose outputs can be attached and detached while
 * it plays, and a few futures for its milestones. Implemented by {@link org.jegress.pipeline.gst.RecordingPipeline};
 * the session's state machine needs nothing else, so it is tested with a fake.
 */
public interface Recording extends AutoCloseable {

    /** Where the source connects its media. */
    RecordingInputs inputs();

    /** Plays the recording (or brings its elements to the running pipeline's state). */
    void play();

    /** Completes once every mixer runs from its bed (at once for recordings without mixers). */
    CompletableFuture<Void> mixersStarted();

    /** Completes with the recording's first buffer: the file's time zero. */
    CompletableFuture<Void> flowing();

    /** Completes exceptionally with the first fatal error (an element outside every output failed). */
    CompletableFuture<Void> failed();

    /** Errors these elements post are their owner's to handle (a room connection rejoins on its webrtcbin's). */
    void ignoreErrorsFrom(Predicate<GstObject> owner);

    /** Links an output to the encode; before or while playing. */
    void attach(OutputSink output);

    /**
     * Unlinks an output while playing. Gracefully: EOS is sent into it and the future completes once it finished
     * (its receivers see a clean end); otherwise it is dropped at once (it failed).
     */
    CompletableFuture<Void> detach(OutputSink output, boolean graceful);

    /** Ends the beds of silence and black: with the source's own EOS, the encoders drain and every output finalises. */
    void endBeds();

    /** Completes when every output still attached finished. */
    CompletableFuture<Void> outputsFinished();

    /** Graphviz DOT of the live pipeline; empty once closed. */
    String dot();

    /** Releases the pipeline (or what this recording added to the source's). Idempotent. */
    @Override
    void close();
}
