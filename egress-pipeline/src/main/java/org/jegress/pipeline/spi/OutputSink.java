package org.jegress.pipeline.spi;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Structure;

/**
 * One output's GStreamer side: a bin with ghost sink pads named by {@link MediaPads} (encoded {@code video} /
 * {@code audio}, raw {@code raw_video} / {@code raw_audio}), ending in its sinks. The recording links each pad to the
 * shared encode's tees and can unlink the whole bin while playing, so an output can fail or be removed alone.
 *
 * <p>Life cycle: created; {@link #open()} before the recording plays; media until EOS reaches its sinks, which
 * completes {@link #finished()}; {@link #finish()} once the pipeline is released; {@link #close()} always, last.
 */
public interface OutputSink {

    /** What the recording should do about an error posted by an element inside this output's bin. */
    enum ErrorOutcome {
        /** The output dealt with it (reconnected, or dropped one destination) and keeps running. */
        HANDLED,
        /** The output cannot go on: detach it; the others continue. */
        FAILED
    }

    Bin bin();

    /**
     * Completes once the output is finalised: EOS reached every sink in the bin. Also completes (normally) when the
     * output failed and was detached, so a stop never waits for it.
     */
    CompletableFuture<Void> finished();

    /** The local file the bin writes, or null for an output that writes none or many (a stream, segments). */
    default Path localFile() {
        return null;
    }

    /**
     * Connects to the destination before media flows (a WebSocket dials its server here).
     *
     * @throws org.jegress.api.error.EgressException if the destination cannot be reached
     */
    default void open() {
    }

    /**
     * An element inside {@link #bin()} posted an error. Called on the bus thread: decide quickly, act elsewhere.
     *
     * @param source the element that posted it
     * @param message its text
     */
    default ErrorOutcome error(GstObject source, String message) {
        return ErrorOutcome.FAILED;
    }

    /**
     * An element message from inside {@link #bin()}: splitmuxsink's fragments, multifilesink's files, and the child
     * messages a bin with {@code message-forward=true} wraps as {@code GstBinForwarded} (the only way to see a child
     * sink's EOS from outside). Called on the bus thread: hand work elsewhere.
     */
    default void elementMessage(GstObject source, Structure structure) {
    }

    /** The recorded track was muted or unmuted (a WebSocket tells its receiver). */
    default void trackMuted(boolean muted) {
    }

    /**
     * Called once after the output finished and the recording pipeline is released: a chance to turn a crash-safe
     * format into its final form, or to store what is left (the last segment, the final playlist). A failure must
     * leave what was written in place.
     *
     * @throws InterruptedException if the egress is being torn down
     * @throws org.jegress.api.error.EgressException if the output could not be completed (an upload failed)
     */
    default void finish() throws InterruptedException {
    }

    /** Releases connections and threads; called once, whatever happened, after the pipeline is released. */
    default void close() {
    }
}
