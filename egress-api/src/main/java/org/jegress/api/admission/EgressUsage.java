package org.jegress.api.admission;

/**
 * What one egress consumed over its life, as measured by the samples given to
 * {@link Admission#updateUsage(String, double, long)}; upstream logs these as "egress metrics" when it ends and they
 * fill {@code rpc.UpdateMetricsRequest}'s {@code avg_cpu_usage} / {@code max_cpu_usage}.
 *
 * @param egressId    the egress
 * @param requestType its metrics label (see {@link RequestCost#requestType()})
 * @param avgCpu      mean CPU cores over all samples (0 without samples)
 * @param maxCpu      highest CPU cores sampled
 * @param maxRssBytes highest resident memory sampled, in bytes
 * @param samples     how many samples were taken
 */
public record EgressUsage(String egressId, String requestType, double avgCpu, double maxCpu, long maxRssBytes,
                          int samples) {
}
