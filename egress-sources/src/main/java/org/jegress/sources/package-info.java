/** Media sources for egress pipelines, registered as {@link org.jegress.pipeline.spi.SourceProvider}s. */
package org.jegress.sources;
