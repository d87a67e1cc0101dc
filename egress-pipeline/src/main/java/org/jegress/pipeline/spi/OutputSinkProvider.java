package org.jegress.pipeline.spi;

import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.VideoPlan;

/** Creates output bins for the containers or protocols it supports. Found with {@link java.util.ServiceLoader}. */
public interface OutputSinkProvider {

    boolean supports(OutputType type);

    /**
     * @param target the file or stream to write
     * @param audio the audio the bin will receive on its "audio" pad (check {@code enabled()}): encoded in
     *        {@code audio.codec()}, or the raw mix for {@link OutputSink#rawAudio()} outputs
     * @param video the encoded video the bin will receive on its "video" pad (check {@code enabled()})
     */
    OutputSink create(OutputTarget target, AudioPlan audio, VideoPlan video);
}
