package org.jegress.api.admission;

import java.util.stream.DoubleStream;

import org.jegress.api.config.CpuCostConfig;

/**
 * The startup CPU check (upstream {@code validateCPUConfig}): a node with fewer cores than the cheapest egress type
 * must refuse to start ("not enough cpu"); one with fewer cores than the most expensive type should log an error,
 * since some requests can never be admitted; the recommended minimum is the largest cost, but at least 3.
 *
 * @param minimum     the smallest configured CPU cost
 * @param maximum     the largest configured CPU cost
 * @param recommended {@code max(maximum, 3)}
 */
public record CoreRequirements(double minimum, double maximum, double recommended) {

    /** The requirements implied by the configured costs (all eight CPU cost keys). */
    public static CoreRequirements of(CpuCostConfig c) {
        double[] costs = {c.roomCompositeCpuCost(), c.audioRoomCompositeCpuCost(), c.sdkAudioRoomCompositeCpuCost(),
                c.webCpuCost(), c.audioWebCpuCost(), c.participantCpuCost(), c.trackCompositeCpuCost(),
                c.trackCpuCost()};
        double min = DoubleStream.of(costs).min().orElse(0);
        double max = DoubleStream.of(costs).max().orElse(0);
        return new CoreRequirements(min, max, Math.max(max, 3));
    }

    /** Whether the worker may start at all with this many cores. */
    public boolean sufficient(double cores) {
        return cores >= minimum;
    }

    /** Whether every egress type can be admitted on an idle node with this many cores. */
    public boolean sufficientForAll(double cores) {
        return cores >= maximum;
    }
}
