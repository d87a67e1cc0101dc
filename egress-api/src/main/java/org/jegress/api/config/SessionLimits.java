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

    /**
     * The time limit of an egress with these outputs: the smallest limit that applies to any of them (upstream), or
     * {@link Duration#ZERO} when none does.
     */
    public Duration timeLimit(boolean file, boolean stream, boolean segments, boolean images) {
        Duration limit = Duration.ZERO;
        limit = smaller(limit, file ? fileOutputMaxDuration : null);
        limit = smaller(limit, stream ? streamOutputMaxDuration : null);
        limit = smaller(limit, segments ? segmentOutputMaxDuration : null);
        limit = smaller(limit, images ? imageOutputMaxDuration : null);
        return limit;
    }

    private static Duration smaller(Duration current, Duration candidate) {
        if (candidate == null || candidate.isZero() || candidate.isNegative()) {
            return current;
        }
        return current.isZero() || candidate.compareTo(current) < 0 ? candidate : current;
    }
}
