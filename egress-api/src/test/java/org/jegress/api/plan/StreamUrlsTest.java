package org.jegress.api.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.jegress.api.error.EgressException;
import org.junit.jupiter.api.Test;

/** Upstream's TestValidateUrl and TestGetUrl, with the Twitch ingest list injected instead of fetched. */
class StreamUrlsTest {

    private final AtomicInteger lookups = new AtomicInteger();
    private final StreamUrls urls = new StreamUrls(() -> {
        lookups.incrementAndGet();
        return "rtmps://lhr08.contribute.live-video.net/app/{stream_key}";
    });

    @Test
    void validate() {
        assertParsed("mux://streamkey", "rtmps://global-live.mux.com:443/app/streamkey",
                "rtmps://global-live.mux.com:443/app/{str...key}");
        assertParsed("twitch://streamkey", "rtmps://lhr08.contribute.live-video.net/app/streamkey",
                "rtmps://lhr08.contribute.live-video.net/app/{str...key}");
        assertParsed("rtmp://fake.contribute.live-video.net/app/streamkey",
                "rtmps://lhr08.contribute.live-video.net/app/streamkey",
                "rtmps://lhr08.contribute.live-video.net/app/{str...key}");
        assertParsed("rtmp://localhost:1935/live/streamkey", "rtmp://localhost:1935/live/streamkey",
                "rtmp://localhost:1935/live/{str...key}");
        assertParsed("rtmps://localhost:1935/live/streamkey", "rtmps://localhost:1935/live/streamkey",
                "rtmps://localhost:1935/live/{str...key}");
        // the ingest list is read once
        assertThat(lookups).hasValue(1);
    }

    private void assertParsed(String requested, String url, String redacted) {
        StreamUrl u = urls.parse(requested, OutputType.RTMP);
        assertThat(u.url()).isEqualTo(url);
        assertThat(u.redacted()).isEqualTo(redacted);
        assertThat(u.requested()).isEqualTo(requested);
    }

    @Test
    void canonicalFindsTheRunningUrlFromAShorthand() {
        assertThat(urls.canonical("mux://streamkey")).isEqualTo("rtmps://global-live.mux.com:443/app/streamkey");
        assertThat(urls.canonical("twitch://streamkey"))
                .isEqualTo("rtmps://lhr08.contribute.live-video.net/app/streamkey");
        assertThat(urls.canonical("rtmp://any.contribute.live-video.net/app/streamkey"))
                .isEqualTo("rtmps://lhr08.contribute.live-video.net/app/streamkey");
        assertThat(urls.canonical("rtmp://localhost:1935/live/streamkey"))
                .isEqualTo("rtmp://localhost:1935/live/streamkey");
    }

    @Test
    void typesBySchemeAnyCase() {
        assertThat(StreamUrls.typeOf("RTMP://h/a/k")).contains(OutputType.RTMP);
        assertThat(StreamUrls.typeOf("srt://h:1")).contains(OutputType.SRT);
        assertThat(StreamUrls.typeOf("wss://h/x")).contains(OutputType.RAW);
        assertThat(StreamUrls.typeOf("http://h/x")).isEmpty();
        assertThat(StreamUrls.typeOf("localhost:1935/live")).isEmpty();
    }

    @Test
    void controlCharacters() {
        assertThatThrownBy(() -> urls.parse("rtmp://h/a/k\n", OutputType.RTMP)).isInstanceOf(EgressException.class)
                .hasMessageContaining("invalid control character");
    }
}
