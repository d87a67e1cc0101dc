package org.jegress.sources.web;

import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.RequestType;
import org.jegress.api.plan.SourceKind;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.SourceContext;
import org.jegress.pipeline.spi.SourceProvider;

/**
 * Serves every egress Chromium records: web egress (v1 WebEgressRequest, the v2 web source) and room composites
 * through a template (v1 RoomCompositeEgressRequest, the v2 template source).
 */
public final class WebSourceProvider implements SourceProvider {

    @Override
    public boolean supports(EgressPlan plan) {
        return plan.sourceKind() == SourceKind.WEB && (plan.requestType() == RequestType.WEB
                || plan.requestType() == RequestType.ROOM_COMPOSITE || plan.requestType() == RequestType.TEMPLATE);
    }

    @Override
    public MediaSource create(EgressPlan plan, SourceContext context) {
        return new WebSource(plan, context);
    }
}
