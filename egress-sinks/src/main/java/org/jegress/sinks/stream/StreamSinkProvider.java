package org.jegress.sinks.stream;

import org.jegress.api.plan.OutputType;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;

/** RTMP(S) and SRT stream outputs. */
public final class StreamSinkProvider implements OutputSinkProvider {

    @Override
    public boolean supports(OutputTarget target) {
        return target instanceof OutputTarget.Stream s && (s.type() == OutputType.RTMP || s.type() == OutputType.SRT);
    }

    @Override
    public OutputSink create(OutputTarget target, OutputContext context) {
        if (!(target instanceof OutputTarget.Stream s) || !supports(target)) {
            throw new IllegalArgumentException("not an RTMP or SRT stream: " + target);
        }
        return new StreamSink(s.type(), s.plan().urls(), context);
    }
}
