package org.jegress.server.http;

import java.io.IOException;

/** Anything that can write metrics in the Prometheus text format 0.0.4, e.g. a {@link PromRegistry}. */
@FunctionalInterface
public interface MetricsSource {

    /** Appends complete metric families ({@code # HELP}, {@code # TYPE}, samples), each line ending in '\n'. */
    void writeTo(Appendable out) throws IOException;
}
