package org.jegress.sources.sdk;

import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.SourceKind;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.SourceContext;
import org.jegress.pipeline.spi.SourceProvider;

/** Room tracks consumed directly (SDK source): track, track composite, participant, media, audio-only composites. */
public final class RoomSourceProvider implements SourceProvider {

    @Override
    public boolean supports(EgressPlan plan) {
        return plan.sourceKind() == SourceKind.SDK && plan.room() != null;
    }

    @Override
    public MediaSource create(EgressPlan plan, SourceContext context) {
        return new RoomSource(plan, context);
    }

    /** The join's bookkeeping on made-up data (see {@link org.jegress.sources.room.RoomConnection#warmUp()}). */
    @Override
    public void warmUp() {
        org.jegress.sources.room.RoomConnection.warmUp();
    }
}
