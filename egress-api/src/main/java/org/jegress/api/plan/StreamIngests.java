package org.jegress.api.plan;

import java.io.IOException;

/**
 * Where shorthand stream URLs point. {@code twitch://<key>} (and Twitch's own {@code *.contribute.live-video.net}
 * ingest URLs) resolve through Twitch's ingest list; the lookup is injected so that planning stays free of I/O and
 * tests never leave the machine.
 */
@FunctionalInterface
public interface StreamIngests {

    /**
     * The URL template of Twitch's preferred ingest, with {@code {stream_key}} where the key goes, e.g.
     * {@code rtmps://iad05.contribute.live-video.net/app/{stream_key}}.
     *
     * @throws IOException when the ingest list cannot be read
     */
    String twitchTemplate() throws IOException;

    /** For planners without network access: Twitch URLs are refused. */
    StreamIngests NONE = () -> {
        throw new IOException("no twitch ingest lookup configured");
    };
}
