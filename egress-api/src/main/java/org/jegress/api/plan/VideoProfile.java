package org.jegress.api.plan;

/** H.264 profiles egress encodes; the value is the one put in {@code video/x-h264,profile=…} caps. */
public enum VideoProfile {
    BASELINE("baseline"),
    MAIN("main"),
    HIGH("high");

    private final String caps;

    VideoProfile(String caps) {
        this.caps = caps;
    }

    public String caps() {
        return caps;
    }
}
