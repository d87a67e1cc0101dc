package org.jegress.pipeline.spi;

import java.nio.file.Path;
import java.time.Clock;

import org.jegress.api.config.EgressConfig;

/**
 * What a source may use.
 *
 * @param config worker configuration (Chrome flags, sandbox, insecure, …)
 * @param workDir a private directory for this egress, deleted when it ends
 * @param clock time source
 * @param listener where the source reports events while recording
 */
public record SourceContext(EgressConfig config, Path workDir, Clock clock, SourceListener listener) {
}
