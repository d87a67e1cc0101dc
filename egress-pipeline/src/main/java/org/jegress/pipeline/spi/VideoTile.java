package org.jegress.pipeline.spi;

import org.freedesktop.gstreamer.Pad;

/**
 * A raw video input whose place on the canvas its source sets, for layouts drawn inside the pipeline (the native
 * room composite). The compositor scales the picture into the rectangle, keeping its aspect ratio; changes apply from
 * the next output frame, never stall the media and may come from any thread. Hidden until first placed.
 */
public interface VideoTile {

    /** Where the source links its raw video. */
    Pad input();

    /** Shows the picture inside this rectangle of the canvas, in pixels. */
    void place(int x, int y, int width, int height);

    /** Hides the picture (the compositor skips it). */
    void hide();
}
