package org.jegress.api.plan;

/**
 * Raw audio streamed to a WebSocket: binary frames of PCM (S16LE, 48 kHz, stereo), text frames
 * {@code {"muted":true|false}} when the track is muted or unmuted.
 *
 * @param url {@code ws://} or {@code wss://} URL, as requested (it is also the reported {@code StreamInfo.url})
 */
public record WebSocketPlan(String url) {

    /** Sample format on the wire. */
    public static final String CONTENT_TYPE = "audio/x-raw";
}
