package org.jegress.pipeline.gst;

import java.util.ArrayList;
import java.util.List;

import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.MediaType;
import org.jegress.api.plan.VideoPlan;

/**
 * The single encode every output shares, as bin descriptions; the session puts a tee after each. Settings mirror the Go egress:
 * x264 {@code veryfast} with a 2 s VBV buffer and the requested profile, AAC/Opus/MP3 at the requested bitrate,
 * stereo.
 */
public final class EncoderChains {

    /** Name of the tee that fans encoded video out to the outputs. */
    public static final String VIDEO_TEE = "video_tee";
    /** Name of the tee that fans encoded audio out to the outputs. */
    public static final String AUDIO_TEE = "audio_tee";
    /** Name of the tee that fans the raw audio mix out to the encoder and raw outputs. */
    public static final String AUDIO_RAW_TEE = "audio_raw_tee";
    /** Name of the x264 encoder element, for force-key-unit events and statistics. */
    public static final String VIDEO_ENCODER = "video_encoder";

    private EncoderChains() {
    }

    /** Name of the tee that fans the raw picture out to the encoder and raw-video outputs (images). */
    public static final String VIDEO_RAW_TEE = "video_raw_tee";

    /**
     * How x264 is tuned for the outputs at hand (upstream): a stream or HLS output fixes key frames (RTMP also wants
     * CBR HRD), segments size the VBV buffer to a segment.
     *
     * @param threads x264 threads, 0 for x264's own choice
     * @param cbr {@code nal-hrd=cbr} (RTMP outputs)
     * @param vbvMs VBV buffer in milliseconds (2000, or the segment duration with HLS, at most 10000)
     * @param sceneCut whether x264 may insert key frames at scene cuts (not when key frames must be regular)
     */
    public record VideoTuning(int threads, boolean cbr, int vbvMs, boolean sceneCut) {

        /** Files only: x264's defaults with a 2 s VBV buffer. */
        public static VideoTuning files(int threads) {
            return new VideoTuning(threads, false, 2000, true);
        }
    }

    /**
     * Raw video in, raw video out at the output size and rate. The caps pin I420: without them Debian's x264
     * negotiates 4:4:4 10-bit, which browsers cannot play. Colorimetry and pixel aspect ratio are fixed so every output
     * agrees and a source joining a composite cannot renegotiate the encoder; the colorimetry is the one the picture
     * mostly comes in, since converting a whole 720p30 picture costs about 0.2 cores. videorate starts with the first
     * frame: by default it would fill from running time zero with copies of it, which for a room source (whose
     * pipeline runs since the join) puts seconds of frozen picture in front and the video that much behind the sound.
     *
     * @param colorimetry {@link org.jegress.pipeline.spi.MediaPads#HD_COLORIMETRY} or
     *        {@link org.jegress.pipeline.spi.MediaPads#SD_COLORIMETRY}
     */
    public static String rawVideo(VideoPlan v, String colorimetry) {
        return "queue name=video_queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=1000000000"
                + " ! videoconvert ! videoscale ! videorate skip-to-first=true"
                + " ! capsfilter caps=\"" + org.jegress.pipeline.spi.MediaPads.rawVideoCaps(v.width(), v.height(),
                        v.framerate(), colorimetry) + "\"";
    }

    /** The encoder behind {@link #rawVideo} (raw picture in, parsed H.264 out), with a queue when it sits behind a tee. */
    public static String videoEncoder(VideoPlan v, VideoTuning t, boolean queued) {
        List<String> x264 = new ArrayList<>();
        x264.add("x264enc name=" + VIDEO_ENCODER);
        x264.add("speed-preset=veryfast");
        x264.add("bitrate=" + v.bitrateKbps());
        x264.add("vbv-buf-capacity=" + Math.min(10_000, Math.max(1, t.vbvMs())));
        if (t.threads() > 0) {
            x264.add("threads=" + t.threads());
        }
        List<String> options = new ArrayList<>();
        if (v.keyFrameIntervalSec() > 0) {
            x264.add("key-int-max=" + Math.max(1, Math.round(v.keyFrameIntervalSec() * v.framerate())));
        }
        if (v.keyFrameIntervalSec() > 0 || !t.sceneCut()) {
            options.add("scenecut=0");
        }
        if (t.cbr()) {
            options.add("nal-hrd=cbr");
        }
        if (!options.isEmpty()) {
            x264.add("option-string=" + String.join(":", options));
        }
        return (queued ? "queue name=video_encoder_queue max-size-buffers=0 max-size-bytes=0 max-size-time=1000000000"
                + " ! " : "")
                + String.join(" ", x264)
                + " ! video/x-h264,profile=" + v.profile().caps()
                + " ! h264parse";
    }

    /** Name of the mixer every audio source feeds; it runs from time zero on a bed of silence. */
    public static final String AUDIO_MIXER = "audio_mixer";
    /** Name of the live silence under the audio mix. */
    public static final String AUDIO_BED = "audio_bed";
    /** Name of the compositor video sources feed when they may come and go. */
    public static final String VIDEO_MIXER = "video_mixer";
    /** Name of the live black under the video composition. */
    public static final String VIDEO_BED = "video_bed";

    /** What the mixer works in; every audio source is converted to it on the way in. */
    public static final String MIX_CAPS = org.jegress.pipeline.spi.MediaPads.RAW_AUDIO_CAPS;

    /**
     * The audio mix: every source is mixed onto live silence, so audio runs from the first instant of the recording,
     * continuous and sample-accurate, whenever the sources start (a browser's sound server takes up to ~1 s) and
     * whatever gaps they have: players then need no edit lists to keep sound and picture in sync, and every AAC frame
     * is exactly 1024 samples. Output: {@link #MIX_CAPS}, the raw audio WebSocket outputs receive as is. The mix
     * starts with its first input (the bed), not at running time zero: a room connection's pipeline has been running
     * since the join, and starting at zero would open the recording with that much made-up silence.
     */
    public static String audioMix() {
        return "audiotestsrc name=" + AUDIO_BED + " is-live=true wave=silence ! capsfilter caps=\"" + MIX_CAPS + "\" ! "
                + AUDIO_MIXER + ".  audiomixer name=" + AUDIO_MIXER + " start-time-selection=first ! capsfilter caps=\"" + MIX_CAPS + "\"";
    }

    /** The raw mix → encoded stereo audio, in the codec the plan chose for every encoded output. */
    public static String audioEncoder(AudioPlan a) {
        String encoder;
        switch (a.codec()) {
            case AAC:
                encoder = "avenc_aac bitrate=" + a.bitrateKbps() * 1000 + " ! aacparse";
                break;
            case OPUS:
                encoder = "opusenc bitrate=" + a.bitrateKbps() * 1000 + " ! opusparse";
                break;
            case MP3:
                encoder = "lamemp3enc target=bitrate cbr=true bitrate=" + a.bitrateKbps() + " ! mpegaudioparse";
                break;
            default:
                throw new IllegalArgumentException("no encoder for " + a.codec());
        }
        return "queue name=audio_queue max-size-buffers=0 max-size-bytes=0 max-size-time=2000000000"
                + " ! audioconvert ! audioresample"
                + " ! audio/x-raw,rate=" + a.encoderRate() + ",channels=2"
                + " ! " + encoder;
    }

    /**
     * Conversion in front of the mixer for one audio source. A source routed to one channel is folded to mono and
     * panned hard to that side (agents left, callers right, for instance).
     */
    public static String audioInput(org.jegress.api.livekit.AudioChannel channel) {
        String pan;
        switch (channel) {
            case AUDIO_CHANNEL_LEFT:
                pan = " ! audio/x-raw,channels=1 ! audiopanorama panorama=-1.0 ! audioconvert";
                break;
            case AUDIO_CHANNEL_RIGHT:
                pan = " ! audio/x-raw,channels=1 ! audiopanorama panorama=1.0 ! audioconvert";
                break;
            default:
                pan = "";
                break;
        }
        return "queue max-size-buffers=0 max-size-bytes=0 max-size-time=2000000000 ! audioconvert ! audioresample"
                + pan + " ! capsfilter caps=\"" + MIX_CAPS + "\"";
    }

    /** Live black at the output size and rate, in the encoder's colorimetry: what shows while no source has a picture. */
    public static String blackBed(VideoPlan v, String colorimetry) {
        return "videotestsrc name=" + VIDEO_BED + " is-live=true pattern=black ! capsfilter caps=\""
                + org.jegress.pipeline.spi.MediaPads.rawVideoCaps(v.width(), v.height(), v.framerate(), colorimetry)
                + "\" ! " + VIDEO_MIXER + ".";
    }

    /** videotestsrc's {@code pattern} values for the canvas bed. */
    static final int BED_BLACK = 2;
    static final int BED_WHITE = 3;

    /**
     * One tile of a layout drawn in the pipeline: a thread of its own and the source's size; the compositor scales it
     * into the tile's rectangle.
     */
    public static String tileInput() {
        return "queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=1000000000 ! videoconvert";
    }

    /** Scales one video source to the output size, keeping its aspect ratio with black borders. */
    public static String videoInput(VideoPlan v) {
        return "queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=1000000000 ! videoconvert"
                + " ! videoscale add-borders=true ! capsfilter caps=\"video/x-raw,format=I420,width=" + v.width()
                + ",height=" + v.height() + ",pixel-aspect-ratio=1/1\"";
    }

    /** Whether the plan's audio codec is one we encode. */
    public static boolean canEncode(MediaType codec) {
        return codec == MediaType.AAC || codec == MediaType.OPUS || codec == MediaType.MP3;
    }
}
