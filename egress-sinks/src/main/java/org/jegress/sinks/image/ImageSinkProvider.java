package org.jegress.sinks.image;

import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;

/** JPEG image (thumbnail) outputs. */
public final class ImageSinkProvider implements OutputSinkProvider {

    @Override
    public boolean supports(OutputTarget target) {
        return target instanceof OutputTarget.Images;
    }

    @Override
    public OutputSink create(OutputTarget target, OutputContext context) {
        if (!(target instanceof OutputTarget.Images i)) {
            throw new IllegalArgumentException("not an image output: " + target);
        }
        return new ImageSink(i.plan(), i.index(), i.localDir(), context);
    }
}
