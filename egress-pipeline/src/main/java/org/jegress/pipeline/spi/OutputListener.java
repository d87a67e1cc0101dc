package org.jegress.pipeline.spi;

import org.jegress.api.plan.StreamUrl;

/**
 * What an output tells the egress while it runs, beyond its result entries (which it edits through
 * {@link OutputContext#results()}). Called on any thread; implementations return quickly.
 */
public interface OutputListener {

    /** Results changed in a way livekit-server should hear about now (a stream connected, a retry). */
    void updated();

    /**
     * One destination of a stream output failed for good and was dropped (its StreamInfo is FAILED already); the
     * output goes on with its other destinations.
     */
    void destinationFailed(StreamUrl url, String error);

    /**
     * The whole output failed (a write or an upload that cannot go on): the recording detaches it and the other
     * outputs continue; the egress ends FAILED with this error once it stops.
     */
    void failed(String error);
}
