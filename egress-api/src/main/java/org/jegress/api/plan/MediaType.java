package org.jegress.api.plan;

/** Media formats by their MIME type, as egress names them in errors ("format X incompatible with codec Y"). */
public enum MediaType {
    AAC("audio/aac"),
    OPUS("audio/opus"),
    RAW_AUDIO("audio/x-raw"),
    MP3("audio/mpeg"),
    PCMU("audio/pcmu"),
    PCMA("audio/pcma"),
    H264("video/h264"),
    VP8("video/vp8"),
    VP9("video/vp9"),
    RAW_VIDEO("video/x-raw"),
    JPEG("image/jpeg");

    private final String mime;

    MediaType(String mime) {
        this.mime = mime;
    }

    public String mime() {
        return mime;
    }

    public boolean isAudio() {
        return mime.startsWith("audio/");
    }

    @Override
    public String toString() {
        return mime;
    }
}
