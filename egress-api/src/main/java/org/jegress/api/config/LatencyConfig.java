package org.jegress.api.config;

import java.time.Duration;

/**
 * GStreamer and synchroniser latencies ({@code latency:} and each entry of {@code latency_overrides:}); upstream
 * warns that changing them may break the service. Every zero duration is replaced by its default.
 *
 * <p>Upstream misspells the YAML tag of the three {@code rtp_*} keys, so Go egress never reads them; this model
 * reads them under their documented names.
 *
 * @param jitterBufferLatency             jitter buffer depth for SDK (non-Chrome) egress; default 2s
 * @param audioMixerLatency               audio mixer latency, meant to exceed the jitter buffer; default 2.75s
 * @param pipelineLatency                 latency budget of the whole pipeline; default 3s
 * @param rtpMaxAllowedTsDiff             PTS discontinuity tolerated before realignment; default 5s, never below
 *                                        the jitter buffer latency
 * @param rtpMaxDriftAdjustment           largest single drift correction; default 5ms
 * @param rtpDriftAdjustmentWindowPercent throttle of drift correction; 0 disables it
 * @param oldPacketThreshold              the synchroniser drops packets older than this; default 2.2s
 */
public record LatencyConfig(
        Duration jitterBufferLatency,
        Duration audioMixerLatency,
        Duration pipelineLatency,
        Duration rtpMaxAllowedTsDiff,
        Duration rtpMaxDriftAdjustment,
        double rtpDriftAdjustmentWindowPercent,
        Duration oldPacketThreshold) {
}
