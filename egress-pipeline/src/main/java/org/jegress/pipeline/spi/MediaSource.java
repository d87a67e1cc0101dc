package org.jegress.pipeline.spi;

import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Element;

/**
 * Raw media for one egress. The session calls {@link #prepare()} once, waits for {@link #startSignal()}, then asks
 * for the source elements, and finally {@link #close()}s the source whatever happened.
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

    /** An element (usually a bin with a ghost "src" pad) producing raw video, or null when the plan has no video. */
    Element createVideoSource();

    /** An element producing raw audio, or null when the plan has no audio. */
    Element createAudioSource();

    /** Short description for logs and status lines, e.g. "chromium on :97". */
    String describe();

    /** Releases every process and resource; safe to call more than once and after a failed {@link #prepare()}. */
    @Override
    void close();
}
