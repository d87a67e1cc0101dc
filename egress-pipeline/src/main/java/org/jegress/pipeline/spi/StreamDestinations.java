package org.jegress.pipeline.spi;

import java.util.List;

import org.jegress.api.plan.StreamUrl;

/**
 * A stream output whose destinations change while it runs ({@code UpdateStream}). Implemented by the RTMP/SRT sink
 * and by custom stream sinks that take several URLs.
 */
public interface StreamDestinations {

    /** Starts sending to one more destination; its StreamInfo entry exists already. */
    void add(StreamUrl url);

    /**
     * Stops sending to a destination, cleanly (the receiver gets the end of the stream); the caller marks its
     * StreamInfo FINISHED.
     */
    void remove(StreamUrl url);

    /** The destinations currently sent to (neither removed nor failed). */
    List<StreamUrl> active();
}
