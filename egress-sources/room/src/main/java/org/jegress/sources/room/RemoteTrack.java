package org.jegress.sources.room;

import java.util.List;
import java.util.Optional;

/**
 * A track published by another participant, as the server last described it (an immutable snapshot of LiveKit's
 * {@code TrackInfo} plus who publishes it).
 *
 * @param sid track SID ({@code TR_…})
 * @param name publisher-given name
 * @param kind audio or video
 * @param source camera, microphone, screen share, ... as the upper-case LiveKit name ("CAMERA", "MICROPHONE",
 *        "SCREEN_SHARE", "SCREEN_SHARE_AUDIO", "UNKNOWN")
 * @param mimeType primary mime type ("audio/opus", "video/H264", "audio/red", ...)
 * @param codecMimeTypes every codec the publisher sends (primary first, then simulcast/backup codecs)
 * @param muted whether the publisher muted it
 * @param width published width (video; 0 when unknown)
 * @param height published height (video; 0 when unknown)
 * @param participantSid publisher SID ({@code PA_…})
 * @param participantIdentity publisher identity
 * @param participantKind publisher kind ("STANDARD", "AGENT", "SIP", "INGRESS", "EGRESS", ...)
 */
public record RemoteTrack(String sid, String name, TrackCodec.MediaKind kind, String source, String mimeType,
        List<String> codecMimeTypes, boolean muted, int width, int height, String participantSid,
        String participantIdentity, String participantKind) {

    public RemoteTrack {
        codecMimeTypes = List.copyOf(codecMimeTypes);
    }

    /** The first codec of this track that can be subscribed to without transcoding, if any. */
    public Optional<TrackCodec> supportedCodec() {
        Optional<TrackCodec> primary = TrackCodec.fromMimeType(mimeType);
        if (primary.isPresent()) {
            return primary;
        }
        for (String m : codecMimeTypes) {
            Optional<TrackCodec> c = TrackCodec.fromMimeType(m);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    public boolean isVideo() {
        return kind == TrackCodec.MediaKind.VIDEO;
    }
}
