package org.jegress.sources.web;

import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.RequestType;
import org.jegress.api.plan.SourceKind;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.SourceContext;
import org.jegress.pipeline.spi.SourceProvider;

/** Serves web egress (v1 WebEgressRequest and the v2 web source). */
public final class WebSourceProvider implements SourceProvider {

    @Override
    public boolean supports(EgressPlan plan) {
        return plan.sourceKind() == SourceKind.WEB && plan.requestType() == RequestType.WEB;
    }

    @Override
    public MediaSource create(EgressPlan plan, SourceContext context) {
        return new WebSource(plan, context);
    }
}
