package org.jegress.api.hls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class MediaPlaylistTest {

    static final Instant T0 = Instant.ofEpochSecond(0, 1_683_154_504_814_142_000L);

    @Test
    void eventPlaylistListsEverySegmentAndEnds() {
        MediaPlaylist p = MediaPlaylist.event(6);
        Instant t = T0;
        for (int i = 0; i < 3; i++) {
            p.append(t, 5.994, "playlist_0000" + i + ".ts");
            t = t.plusMillis(5994);
        }
        p.close();
        assertThat(p.render()).isEqualTo("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-PLAYLIST-TYPE:EVENT\n"
                + "#EXT-X-ALLOW-CACHE:NO\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-05-03T22:55:04.814Z\n#EXTINF:5.994,\nplaylist_00000.ts\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-05-03T22:55:10.808Z\n#EXTINF:5.994,\nplaylist_00001.ts\n"
                + "#EXT-X-PROGRAM-DATE-TIME:2023-05-03T22:55:16.802Z\n#EXTINF:5.994,\nplaylist_00002.ts\n"
                + "#EXT-X-ENDLIST\n");
        assertThat(p.segmentCount()).isEqualTo(3);
    }

    @Test
    void livePlaylistSlidesOverTheLastSegments() {
        MediaPlaylist p = MediaPlaylist.live(6, 3);
        Instant t = T0;
        for (int i = 0; i < 4; i++) {
            p.append(t, 5.994, "playlist_0000" + i + ".ts");
            t = t.plusMillis(5994);
        }
        String open = p.render();
        assertThat(open).startsWith("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-ALLOW-CACHE:NO\n#EXT-X-TARGETDURATION:6\n"
                + "#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PROGRAM-DATE-TIME:2023-05-03T22:55:10.808Z\n");
        assertThat(open).doesNotContain("PLAYLIST-TYPE", "playlist_00000.ts", "ENDLIST");
        assertThat(open).contains("playlist_00001.ts", "playlist_00002.ts", "playlist_00003.ts");
        p.close();
        assertThat(p.render()).endsWith("playlist_00003.ts\n#EXT-X-ENDLIST\n");
    }

    @Test
    void wholeMillisecondsAreWrittenInFull() {
        MediaPlaylist p = MediaPlaylist.event(4);
        p.append(Instant.parse("2026-12-01T10:00:00.800Z"), 4, "a.ts");
        assertThat(p.render()).contains("#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:00.800Z\n#EXTINF:4.000,\na.ts\n");
    }
}
