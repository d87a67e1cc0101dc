package org.jegress.pipeline.spi;

import java.nio.file.Path;

import org.freedesktop.gstreamer.Bin;

/**
 * One output's GStreamer side: a bin with ghost sink pads named {@code audio} and/or {@code video} accepting the
 * encoded streams, ending in a muxer and a sink.
 */
public interface OutputSink {

    Bin bin();

    /** The local file the bin writes. */
    Path localFile();
}
