/**
 * Extension points, discovered with {@link java.util.ServiceLoader}: a {@link org.jegress.pipeline.spi.SourceProvider}
 * supplies raw media for a plan, an {@link org.jegress.pipeline.spi.OutputSinkProvider} writes encoded media to an
 * output. Implementations hand GStreamer elements over; media never crosses into Java.
 */
package org.jegress.pipeline.spi;
