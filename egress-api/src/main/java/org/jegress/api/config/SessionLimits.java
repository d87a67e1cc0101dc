package org.jegress.api.config;

import java.time.Duration;

/**
 * Per-egress limits ({@code session_limits:}); reaching one ends the egress with EGRESS_LIMIT_REACHED. A
 * {@link Duration#ZERO} duration or a 0 size means unlimited.
 *
 * @param fileOutputMaxDuration    longest file recording
 * @param streamOutputMaxDuration  longest RTMP/SRT/WebSocket stream
 * @param segmentOutputMaxDuration longest HLS recording
 * @param imageOutputMaxDuration   longest image (thumbnail) capture
 * @param fileOutputMaxSize        largest on-disk size in bytes before the egress is stopped
 */
public record SessionLimits(
        Duration fileOutputMaxDuration,
        Duration streamOutputMaxDuration,
        Duration segmentOutputMaxDuration,
        Duration imageOutputMaxDuration,
        long fileOutputMaxSize) {
}
