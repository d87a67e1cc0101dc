/** File output bins (MP4, OGG, MP3) registered as {@link org.jegress.pipeline.spi.OutputSinkProvider}. */
package org.jegress.sinks;
