package org.jegress.pipeline.spi;

import org.jegress.api.plan.EgressPlan;

/** Creates media sources for the plans it understands. */
public interface SourceProvider {

    /** Whether this provider can feed the plan (e.g. web sources take {@code SourceKind.WEB}). */
    boolean supports(EgressPlan plan);

    MediaSource create(EgressPlan plan, SourceContext context);
}
