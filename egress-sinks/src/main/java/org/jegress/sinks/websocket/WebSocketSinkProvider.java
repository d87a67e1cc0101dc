package org.jegress.sinks.websocket;

import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.VideoPlan;
import org.jegress.api.plan.WebSocketPlan;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;

/** WebSocket outputs of raw audio ({@link OutputType#RAW}). */
public final class WebSocketSinkProvider implements OutputSinkProvider {

    @Override
    public boolean supports(OutputTarget target) {
        return target instanceof OutputTarget.WebSocket;
    }

    @Override
    public OutputSink create(OutputTarget target, OutputContext context) {
        if (!(target instanceof OutputTarget.WebSocket ws)) {
            throw new IllegalArgumentException("not a websocket: " + target);
        }
        if (!context.audio().enabled()) {
            throw new IllegalArgumentException("a websocket output carries audio");
        }
        return new WebSocketSink(new WebSocketPlan(ws.url()));
    }
}
