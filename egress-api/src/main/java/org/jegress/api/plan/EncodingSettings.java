package org.jegress.api.plan;

import java.util.Set;

import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.AudioMixing;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.EncodingOptionsPreset;

/**
 * The media half of a request while it is planned: which media the egress carries, the codecs, and the encoder
 * settings from a preset or the advanced options, with the upstream defaults (1280×720, 30 fps, 3000 kbps, 128 kbps
 * audio at 44.1 kHz). Mutable; one instance per planned request.
 *
 * <p>Advanced options are checked beyond upstream, which accepts values that cannot work and fails much later (a
 * negative width is silently ignored, {@code width: 100000} ends after 35 s in the browser): every value must be one
 * the capture and encoders can honour, else "request has missing or invalid field: &lt;field&gt;".
 */
final class EncodingSettings {

    /** Largest frame side x264's highest level (5.2) and our capture accept. */
    static final int MAX_SIDE = 4096;
    /** Largest frame area of H.264 level 5.2 (36864 macroblocks). */
    static final int MAX_AREA = 36_864 * 256;
    static final int MAX_FRAMERATE = 60;
    static final int MAX_VIDEO_KBPS = 100_000;
    static final int MAX_AUDIO_KBPS = 512;
    /** Key frames at most an hour apart: anything longer is a typo, and players could never join a stream. */
    static final double MAX_KEY_FRAME_INTERVAL = 3600;
    /** Sample rates AAC and MP3 encoders take. */
    static final Set<Integer> AUDIO_RATES = Set.of(8_000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100,
            48_000);

    boolean passthrough;

    boolean audioEnabled;
    boolean audioTranscoding;
    MediaType audioCodec;
    int audioBitrate = 128;
    int audioFrequency = 44_100;
    AudioMixing audioMixing = AudioMixing.DEFAULT_MIXING;

    boolean videoEnabled;
    boolean videoDecoding;
    boolean videoEncoding;
    MediaType videoCodec;
    VideoProfile profile = VideoProfile.MAIN;
    int width = 1280;
    int height = 720;
    int depth = 24;
    int framerate = 30;
    int videoBitrate = 3000;
    double keyFrameInterval;

    /** A page or template: audio unless video-only, video unless audio-only. */
    void enableMedia(boolean audioOnly, boolean videoOnly) {
        if (!videoOnly) {
            audioEnabled = true;
            audioTranscoding = true;
        }
        if (!audioOnly) {
            videoEnabled = true;
            videoDecoding = true;
        }
        if (!audioEnabled && !videoEnabled) {
            throw EgressException.invalidInput("audio_only and video_only");
        }
    }

    void disableVideo() {
        videoEnabled = false;
        videoDecoding = false;
        videoEncoding = false;
    }

    void disableAudio() {
        audioEnabled = false;
        audioTranscoding = false;
    }

    void applyPreset(EncodingOptionsPreset preset) {
        switch (preset) {
            case H264_720P_30 -> video(1280, 720, 30, 3000);
            case H264_720P_60 -> video(1280, 720, 60, 4500);
            case H264_1080P_30 -> video(1920, 1080, 30, 4500);
            case H264_1080P_60 -> video(1920, 1080, 60, 6000);
            case PORTRAIT_H264_720P_30 -> video(720, 1280, 30, 3000);
            case PORTRAIT_H264_720P_60 -> video(720, 1280, 60, 4500);
            case PORTRAIT_H264_1080P_30 -> video(1080, 1920, 30, 4500);
            case PORTRAIT_H264_1080P_60 -> video(1080, 1920, 60, 6000);
            case PASSTHROUGH -> passthrough = true;
            // as upstream, a preset this version does not know leaves the defaults in place
            default -> {
            }
        }
    }

    private void video(int w, int h, int fps, int kbps) {
        width = w;
        height = h;
        framerate = fps;
        videoBitrate = kbps;
    }

    void applyAdvanced(EncodingOptions o) {
        switch (o.getAudioCodec()) {
            case OPUS -> audioCodec = MediaType.OPUS;
            case AAC -> audioCodec = MediaType.AAC;
            case AC_MP3 -> audioCodec = MediaType.MP3;
            default -> {
            }
        }
        if (o.getAudioBitrate() != 0) {
            if (o.getAudioBitrate() < 0 || o.getAudioBitrate() > MAX_AUDIO_KBPS) {
                throw EgressException.invalidInput("audio_bitrate");
            }
            audioBitrate = o.getAudioBitrate();
        }
        if (o.getAudioFrequency() != 0) {
            if (!AUDIO_RATES.contains(o.getAudioFrequency())) {
                throw EgressException.invalidInput("audio_frequency");
            }
            audioFrequency = o.getAudioFrequency();
        }
        switch (o.getVideoCodec()) {
            case H264_BASELINE -> {
                videoCodec = MediaType.H264;
                profile = VideoProfile.BASELINE;
            }
            case H264_MAIN -> videoCodec = MediaType.H264;
            case H264_HIGH -> {
                videoCodec = MediaType.H264;
                profile = VideoProfile.HIGH;
            }
            // VP8 is accepted and ignored: H.264 is the only encoder, as upstream.
            default -> {
            }
        }
        if (o.getWidth() != 0) {
            width = side(o.getWidth(), "width");
        }
        if (o.getHeight() != 0) {
            height = side(o.getHeight(), "height");
        }
        if ((long) width * height > MAX_AREA) {
            throw EgressException.invalidInput(o.getWidth() != 0 ? "width" : "height");
        }
        switch (o.getDepth()) {
            case 0 -> {
            }
            case 8, 16, 24 -> depth = o.getDepth();
            default -> throw EgressException.invalidInput("depth");
        }
        if (o.getFramerate() != 0) {
            if (o.getFramerate() < 0 || o.getFramerate() > MAX_FRAMERATE) {
                throw EgressException.invalidInput("framerate");
            }
            framerate = o.getFramerate();
        }
        if (o.getVideoBitrate() != 0) {
            if (o.getVideoBitrate() < 0 || o.getVideoBitrate() > MAX_VIDEO_KBPS) {
                throw EgressException.invalidInput("video_bitrate");
            }
            videoBitrate = o.getVideoBitrate();
        }
        if (o.getKeyFrameInterval() != 0) {
            double kfi = o.getKeyFrameInterval();
            if (!(kfi > 0) || kfi > MAX_KEY_FRAME_INTERVAL || kfi * framerate < 1) {
                throw EgressException.invalidInput("key_frame_interval");
            }
            keyFrameInterval = kfi;
        }
    }

    /** A frame side: even, at least 16 (upstream) and at most {@link #MAX_SIDE}. */
    private static int side(int value, String field) {
        if (value < 16 || value % 2 == 1 || value > MAX_SIDE) {
            throw EgressException.invalidInput(field);
        }
        return value;
    }

    AudioPlan audioPlan() {
        return new AudioPlan(audioEnabled, audioTranscoding, audioEnabled ? audioCodec : null, audioBitrate,
                audioFrequency, audioMixing);
    }

    VideoPlan videoPlan() {
        return new VideoPlan(videoEnabled, videoDecoding, videoEncoding, videoEnabled ? videoCodec : null, profile,
                width, height, depth, framerate, videoBitrate, keyFrameInterval);
    }
}
