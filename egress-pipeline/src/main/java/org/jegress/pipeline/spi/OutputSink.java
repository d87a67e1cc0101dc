package org.jegress.pipeline.spi;

import java.nio.file.Path;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Pad;

/**
 * One output's GStreamer side: a bin with ghost sink pads named {@code audio} and/or {@code video} accepting the
 * encoded streams (or, for {@link #rawAudio()} outputs, the raw audio mix), ending in a sink.
 *
 * <p>Life cycle: created; {@link #open()} before the recording plays; the bin receives media until EOS reaches
 * {@link #sinkPad()}; {@link #finish()} once the pipeline is released; {@link #close()} always, last.
 */
public interface OutputSink {

    Bin bin();

    /** The local file the bin writes, or null for an output that writes none (a stream). */
    Path localFile();

    /** Whether the bin takes the raw audio mix ({@code audio/x-raw}, S16LE, 48 kHz, stereo) instead of encoded audio. */
    default boolean rawAudio() {
        return false;
    }

    /**
     * Connects to the destination before media flows (a stream dials its server here).
     *
     * @throws org.jegress.api.error.EgressException if the destination cannot be reached
     */
    default void open() {
    }

    /** The recorded track was muted or unmuted (a WebSocket tells its receiver). */
    default void trackMuted(boolean muted) {
    }

    /** The sink pad of the bin's final sink: the output is finalised once EOS reaches it. */
    Pad sinkPad();

    /**
     * Called once after every sink has received EOS and the recording pipeline is released, before the file is
     * uploaded: a chance to turn a crash-safe recording format into its final form. A failure must leave a
     * playable file in place.
     *
     * @throws InterruptedException if the egress is being torn down
     */
    default void finish() throws InterruptedException {
    }

    /** Releases connections and threads; called once, whatever happened, after the pipeline is released. */
    default void close() {
    }
}
