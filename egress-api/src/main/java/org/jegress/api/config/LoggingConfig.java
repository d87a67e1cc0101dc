package org.jegress.api.config;

import java.util.Map;

/**
 * Logger settings ({@code logging:}), the keys of LiveKit's shared logger config.
 *
 * @param level              one of debug, info, warn, error, dpanic, panic, fatal; default info
 * @param json               log as JSON lines instead of console text
 * @param sample             throttle repeated identical messages
 * @param componentLevels    per-component level overrides, e.g. {@code pipeline: debug}
 * @param sampleInitial      when sampling: messages logged per second before throttling starts
 * @param sampleInterval     when sampling: afterwards, every n-th message is logged
 * @param itemSampleSeconds  per participant/track sampling window in seconds
 * @param itemSampleInitial  per participant/track: messages logged per window before throttling
 * @param itemSampleInterval per participant/track: afterwards, every n-th message is logged
 */
public record LoggingConfig(
        String level,
        boolean json,
        boolean sample,
        Map<String, String> componentLevels,
        int sampleInitial,
        int sampleInterval,
        int itemSampleSeconds,
        int itemSampleInitial,
        int itemSampleInterval) {

    public LoggingConfig {
        componentLevels = Map.copyOf(componentLevels);
    }
}
