package org.jegress.api.admission;

/**
 * What admitting one request reserves, as upstream's {@code costsForRequest} computes it.
 *
 * @param cpu         CPU cores reserved (the configured static cost, or the request's {@code estimated_cpu} when
 *                    that is positive)
 * @param staticCpu   the configured static cost for the request shape, ignoring {@code estimated_cpu}; it is the
 *                    "allowed" CPU the overload policy compares measured usage against, as upstream does
 * @param memoryGb    memory reserved in GB ({@code memory_cost}, or {@code sdk_audio_room_composite_memory_cost} for
 *                    an audio-only composite without Chrome); only consulted when {@code max_memory} is set
 * @param web         whether the egress runs Chromium (web, or a composite/template that is not audio-only on the
 *                    SDK path)
 * @param requestType the metrics label: {@code room_composite}, {@code web}, {@code participant},
 *                    {@code track_composite}, {@code track}, {@code template}, {@code media}, or
 *                    {@link #UNKNOWN_TYPE} for a request without a recognised body
 */
public record RequestCost(double cpu, double staticCpu, double memoryGb, boolean web, String requestType) {

    /** The label upstream uses when a request has no recognised body. */
    public static final String UNKNOWN_TYPE = "unknown";
}
