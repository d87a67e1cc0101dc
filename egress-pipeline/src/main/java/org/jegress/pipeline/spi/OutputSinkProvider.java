package org.jegress.pipeline.spi;

import java.nio.file.Path;

import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.VideoPlan;

/** Creates output bins for the containers it supports. */
public interface OutputSinkProvider {

    boolean supports(OutputType type);

    /**
     * @param type the container to write
     * @param localFile where to write it
     * @param audio the encoded audio the bin will receive on its "audio" pad (check {@code enabled()})
     * @param video the encoded video the bin will receive on its "video" pad (check {@code enabled()})
     */
    OutputSink create(OutputType type, Path localFile, AudioPlan audio, VideoPlan video);
}
