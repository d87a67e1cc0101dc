package org.jegress.pipeline.spi;

import java.nio.file.Path;

import org.jegress.api.plan.OutputType;

/** Where one output goes: a local file of some container, or a WebSocket taking raw audio. */
public sealed interface OutputTarget {

    /** The container or protocol; {@link OutputType#RAW} for a WebSocket. */
    OutputType type();

    /**
     * A file written locally (and uploaded afterwards).
     *
     * @param type MP4, OGG, MP3, WEBM, …
     * @param localFile where to write it
     */
    record File(OutputType type, Path localFile) implements OutputTarget {
    }

    /**
     * Raw PCM to a WebSocket server.
     *
     * @param url {@code ws://} or {@code wss://} URL
     */
    record WebSocket(String url) implements OutputTarget {
        @Override
        public OutputType type() {
            return OutputType.RAW;
        }
    }
}
