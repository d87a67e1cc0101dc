package org.jegress.pipeline.spi;

import org.jegress.api.plan.EgressPlan;

/** Creates media sources for the plans it understands. */
public interface SourceProvider {

    /** Whether this provider can feed the plan (e.g. web sources take {@code SourceKind.WEB}). */
    boolean supports(EgressPlan plan);

    MediaSource create(EgressPlan plan, SourceContext context);

    /**
     * Runs the provider's start-up code once on made-up data, without network or media, so that a process kept
     * waiting for an egress (the worker's spare handler) has loaded and run it before an egress waits for it.
     * Optional; must not fail.
     */
    default void warmUp() {
    }
}
