package org.jegress.pipeline.spi;

/**
 * The pad contract between the recording and its outputs, in one place. An output is a bin with ghost sink pads
 * named by what they take; the recording links each pad it finds to the matching tee of the one shared encode:
 *
 * <ul>
 * <li>{@value #VIDEO}: encoded video, H.264 parsed into access units (or a track's own codec for a passthrough);</li>
 * <li>{@value #AUDIO}: encoded audio in the plan's codec (AAC, Opus or MP3; a track's own codec for a passthrough);</li>
 * <li>{@value #RAW_VIDEO}: decoded picture, {@link #rawVideoCaps I420 at the output size and frame rate};</li>
 * <li>{@value #RAW_AUDIO}: the audio mix, {@value #RAW_AUDIO_CAPS}.</li>
 * </ul>
 * Sources meet the recording through {@link RecordingInputs}, never through these pads.
 */
public final class MediaPads {

    public static final String VIDEO = "video";
    public static final String AUDIO = "audio";
    public static final String RAW_VIDEO = "raw_video";
    public static final String RAW_AUDIO = "raw_audio";

    /** The audio mix as every raw-audio output receives it. */
    public static final String RAW_AUDIO_CAPS = "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";

    private MediaPads() {
    }

    /** BT.709 with MPEG-2 chroma siting: what upstream's capture pipeline encodes, and HD video defaults to. */
    public static final String HD_COLORIMETRY = "colorimetry=bt709,chroma-site=mpeg2";
    /**
     * BT.601 with JPEG chroma siting: what decoded room video smaller than HD defaults to (a composite's tiles, which
     * the server sends in the layer nearest their size).
     */
    public static final String SD_COLORIMETRY = "colorimetry=bt601,chroma-site=jpeg";

    /** The picture as raw-video outputs receive it, in {@code colorimetry} (one of the two above). */
    public static String rawVideoCaps(int width, int height, int framerate, String colorimetry) {
        return "video/x-raw,format=I420,width=" + width + ",height=" + height + ",framerate=" + framerate
                + "/1,pixel-aspect-ratio=1/1," + colorimetry;
    }
}
