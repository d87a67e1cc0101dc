package org.jegress.pipeline.spi;

import java.util.Set;

/**
 * Creates output bins for the targets it supports. Found with {@link java.util.ServiceLoader}, or handed in through
 * {@code EgressOptions.withOutputSinkProvider}, which wins over the ones found.
 */
public interface OutputSinkProvider {

    boolean supports(OutputTarget target);

    /**
     * URL schemes this provider claims in stream outputs beyond {@code rtmp(s)}, {@code srt}, {@code ws(s)}: a
     * request may then name {@code myproto://…} destinations, which reach {@link #create} as an
     * {@link OutputTarget.Stream} of type {@code CUSTOM} receiving the encoded streams.
     */
    default Set<String> streamSchemes() {
        return Set.of();
    }

    /** Creates the output; called before the recording plays. */
    OutputSink create(OutputTarget target, OutputContext context);
}
