package org.jegress.api.plan;

/**
 * The video half of a plan.
 *
 * @param enabled whether the egress carries video
 * @param decoding whether incoming video is raw or decoded before encoding
 * @param encoding whether video is (re-)encoded for the outputs
 * @param codec output codec (H.264 is the only encoder); null when disabled
 * @param profile H.264 profile (default main)
 * @param width frame width in pixels, even and at least 16
 * @param height frame height in pixels, even and at least 16
 * @param depth colour depth of the virtual display (8, 16 or 24)
 * @param framerate frames per second
 * @param bitrateKbps encoder bitrate in kbps
 * @param keyFrameIntervalSec forced key frame interval in seconds; 0 leaves it to the encoder
 */
public record VideoPlan(boolean enabled, boolean decoding, boolean encoding, MediaType codec, VideoProfile profile,
        int width, int height, int depth, int framerate, int bitrateKbps, double keyFrameIntervalSec) {
}
