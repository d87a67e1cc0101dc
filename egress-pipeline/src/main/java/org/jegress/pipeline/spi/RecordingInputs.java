package org.jegress.pipeline.spi;

import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.Pipeline;
import org.jegress.api.livekit.AudioChannel;

/**
 * Where a {@link MediaSource} connects its media: links its src pads to the pads handed out here, brings its own
 * elements to the pipeline's state, and may do so at any time while recording (room tracks come and go). Inputs
 * are converted as needed; the recording keeps running on black and silence while no source feeds it.
 */
public interface RecordingInputs {

    /** The pipeline to add source elements to. */
    Pipeline pipeline();

    /** A raw video input, shown full frame (aspect kept). Only for plans with video. */
    Pad videoInput();

    /**
     * A raw video input placed by the source ({@link VideoTile}), over the canvas background. Only for plans with
     * video.
     */
    VideoTile videoTile();

    /** The canvas background behind tiles: black, or white for a light layout. */
    void lightBackground(boolean light);

    /** A raw audio input of the mix, on both channels or panned to one. Only for plans with audio. */
    Pad audioInput(AudioChannel channel);

    /**
     * For passthrough plans: the output's input for encoded media of this kind ("audio" or "video"); the container
     * was chosen from the track's codec.
     */
    Pad passthroughInput(String kind);

    /** Detaches an input handed out earlier (after its source sent EOS or was unlinked). */
    void release(Pad input);
}
