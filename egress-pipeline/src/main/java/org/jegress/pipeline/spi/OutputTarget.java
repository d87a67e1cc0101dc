package org.jegress.pipeline.spi;

import java.nio.file.Path;

import org.jegress.api.plan.ImagesPlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.SegmentsPlan;
import org.jegress.api.plan.StreamPlan;

/** What one output writes: a file, a stream output (RTMP, SRT or a custom scheme), HLS segments, images, or raw audio to a WebSocket. */
public sealed interface OutputTarget {

    /** The container or protocol. */
    OutputType type();

    /**
     * A file written locally (and stored when finished).
     *
     * @param type MP4, OGG, MP3, WEBM, …
     * @param localFile where to write it
     */
    record File(OutputType type, Path localFile) implements OutputTarget {
    }

    /** Raw PCM to a WebSocket server ({@code ws://} or {@code wss://}). */
    record WebSocket(String url) implements OutputTarget {
        @Override
        public OutputType type() {
            return OutputType.RAW;
        }
    }

    /**
     * One mux sent to every destination of a stream output; destinations come and go while it runs
     * (see {@link StreamDestinations}).
     *
     * @param plan the protocol (RTMP, SRT, or {@link OutputType#CUSTOM} for a scheme a provider claimed) and the
     *        destinations it starts with
     * @param scheme the URL scheme, for custom providers to recognise their own
     */
    record Stream(StreamPlan plan, String scheme) implements OutputTarget {
        @Override
        public OutputType type() {
            return plan.type();
        }
    }

    /**
     * HLS: segments and playlists, each stored as it closes.
     *
     * @param plan names, durations and storage
     * @param localDir where segments and playlists are written before they are stored
     */
    record Segments(SegmentsPlan plan, Path localDir) implements OutputTarget {
        @Override
        public OutputType type() {
            return OutputType.HLS;
        }
    }

    /**
     * JPEG images, each stored as it is written.
     *
     * @param plan interval, size, names and storage
     * @param index which image output of the egress (its entry in {@code image_results})
     * @param localDir where images are written before they are stored
     */
    record Images(ImagesPlan plan, int index, Path localDir) implements OutputTarget {
        @Override
        public OutputType type() {
            return OutputType.JPEG;
        }
    }
}
