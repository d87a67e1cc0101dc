/**
 * Extension points, discovered with {@link java.util.ServiceLoader}: a {@link org.jegress.pipeline.spi.SourceProvider}
 * supplies media for a plan, an {@link org.jegress.pipeline.spi.OutputSinkProvider} writes it to a file or a stream.
 * Implementations hand GStreamer elements over; media never crosses JNA. (A WebSocket output, whose client is Java,
 * reads its raw audio from a loopback socket the pipeline writes to.)
 */
package org.jegress.pipeline.spi;
