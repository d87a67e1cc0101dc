package org.jegress.api.plan;

import org.jegress.api.livekit.AudioMixing;

/**
 * The audio half of a plan.
 *
 * @param enabled whether the egress carries audio at all
 * @param transcoding whether audio is decoded and re-encoded (false for passthrough track egress)
 * @param codec output codec, chosen to fit every output; null when disabled
 * @param bitrateKbps encoder bitrate in kbps (default 128)
 * @param frequency sample rate for AAC and MP3 (default 44100); Opus always runs at 48 kHz
 * @param mixing how room audio is spread over the two channels (SDK audio-only composites)
 */
public record AudioPlan(boolean enabled, boolean transcoding, MediaType codec, int bitrateKbps, int frequency,
        AudioMixing mixing) {

    /** Sample rate the encoder runs at: Opus is always 48 kHz, AAC/MP3 use {@link #frequency()}. */
    public int encoderRate() {
        return codec == MediaType.OPUS ? 48_000 : frequency;
    }
}
