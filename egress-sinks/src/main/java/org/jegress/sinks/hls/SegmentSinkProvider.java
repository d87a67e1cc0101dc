package org.jegress.sinks.hls;

import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;

/** HLS segment outputs. */
public final class SegmentSinkProvider implements OutputSinkProvider {

    @Override
    public boolean supports(OutputTarget target) {
        return target instanceof OutputTarget.Segments;
    }

    @Override
    public OutputSink create(OutputTarget target, OutputContext context) {
        if (!(target instanceof OutputTarget.Segments s)) {
            throw new IllegalArgumentException("not a segment output: " + target);
        }
        return new SegmentSink(s.plan(), s.localDir(), context);
    }
}
