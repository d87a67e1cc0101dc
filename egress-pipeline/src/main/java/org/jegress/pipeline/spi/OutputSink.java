package org.jegress.pipeline.spi;

import java.nio.file.Path;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Pad;

/**
 * One output's GStreamer side: a bin with ghost sink pads named {@code audio} and/or {@code video} accepting the
 * encoded streams, ending in a muxer and a sink.
 */
public interface OutputSink {

    Bin bin();

    /** The local file the bin writes. */
    Path localFile();

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
}
