package org.jegress.sources.room;

import java.util.Locale;
import java.util.Optional;

/**
 * The codecs a subscribed track can carry, each with the RTP depayloader that turns webrtcbin's RTP into the
 * still-encoded elementary stream a {@link SubscribedTrack} delivers. Nothing is ever decoded or re-encoded.
 *
 * <p>Output caps of the depayloaders (GStreamer 1.22): Opus {@code audio/x-opus}; PCMU {@code audio/x-mulaw};
 * PCMA {@code audio/x-alaw}; H.264 {@code video/x-h264} in {@code stream-format=avc} or {@code byte-stream} (chosen
 * by what the consumer links, e.g. {@code h264parse ! mp4mux} gets avc); VP8 {@code video/x-vp8}; VP9
 * {@code video/x-vp9}. AV1 and H.265 are deliberately absent: bookworm has no AV1 depayloader, so they are kept out
 * of every answer and the server falls back to a backup codec when the publisher has one.
 */
public enum TrackCodec {
    OPUS(MediaKind.AUDIO, "OPUS", "audio/opus", "rtpopusdepay", "audio/x-opus"),
    PCMU(MediaKind.AUDIO, "PCMU", "audio/pcmu", "rtppcmudepay", "audio/x-mulaw"),
    PCMA(MediaKind.AUDIO, "PCMA", "audio/pcma", "rtppcmadepay", "audio/x-alaw"),
    H264(MediaKind.VIDEO, "H264", "video/h264", "rtph264depay", "video/x-h264"),
    VP8(MediaKind.VIDEO, "VP8", "video/vp8", "rtpvp8depay", "video/x-vp8"),
    VP9(MediaKind.VIDEO, "VP9", "video/vp9", "rtpvp9depay", "video/x-vp9");

    /** Audio or video. */
    public enum MediaKind {
        AUDIO, VIDEO
    }

    private final MediaKind kind;
    private final String encodingName;
    private final String mimeType;
    private final String depayloader;
    private final String mediaType;

    TrackCodec(MediaKind kind, String encodingName, String mimeType, String depayloader, String mediaType) {
        this.kind = kind;
        this.encodingName = encodingName;
        this.mimeType = mimeType;
        this.depayloader = depayloader;
        this.mediaType = mediaType;
    }

    public MediaKind kind() {
        return kind;
    }

    public boolean isVideo() {
        return kind == MediaKind.VIDEO;
    }

    /** RTP/SDP encoding name, upper case ("OPUS", "H264"). */
    public String encodingName() {
        return encodingName;
    }

    /** LiveKit/WebRTC mime type, lower case ("audio/opus", "video/h264"). */
    public String mimeType() {
        return mimeType;
    }

    /** GStreamer element factory of the depayloader. */
    public String depayloader() {
        return depayloader;
    }

    /** GStreamer media type of the delivered stream ("audio/x-opus", "video/x-h264", ...). */
    public String mediaType() {
        return mediaType;
    }

    /** The codec for an SDP/RTP encoding name (case-insensitive), if supported. */
    public static Optional<TrackCodec> fromEncodingName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.toUpperCase(Locale.ROOT);
        for (TrackCodec c : values()) {
            if (c.encodingName.equals(n)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The codec for a LiveKit track mime type ("audio/opus", "video/H264"). {@code audio/red} is Opus with redundancy
     * on the publisher side; subscribers are answered with plain Opus.
     */
    public static Optional<TrackCodec> fromMimeType(String mime) {
        if (mime == null || mime.isEmpty()) {
            return Optional.empty();
        }
        String m = mime.toLowerCase(Locale.ROOT);
        if (m.equals("audio/red")) {
            return Optional.of(OPUS);
        }
        for (TrackCodec c : values()) {
            if (c.mimeType.equals(m)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
