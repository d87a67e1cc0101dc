/**
 * Runs egresses: {@link org.jegress.pipeline.Egress} is the embedding API, an {@link org.jegress.pipeline.EgressSession}
 * drives one recording (source, one encode, tee to every output, EOS, upload, manifest) and reports EgressInfo.
 * Sources and sinks plug in through {@code org.jegress.pipeline.spi}.
 */
package org.jegress.pipeline;
