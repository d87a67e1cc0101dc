package org.jegress.pipeline.spi;

/** What a source tells the session while it records, beyond its start and end. Called on the source's threads. */
public interface SourceListener {

    /** A recorded track was muted or unmuted by its publisher. */
    default void trackMuted(String trackId, boolean muted) {
    }
}
