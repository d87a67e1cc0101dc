package org.jegress.api.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class FilenameTemplateTest {

    /** 2022-10-04T01:13:06 UTC, the time of the seed 001 examples. */
    private static final Instant NOW = Instant.parse("2022-10-04T01:13:06.042Z");

    private static FilenameTemplate template() {
        return new FilenameTemplate(NOW, ZoneOffset.UTC);
    }

    private static String resolve(String requested, String extension) {
        return template().with("{room_name}", "testroom").with("{room_id}", "RM_1")
                .resolveFilePath(FilenameTemplate.clean(requested), "testroom", extension, 0);
    }

    /**
     * The "Filenames" examples of seed 001 (upstream README): room composite rows, the track composite row
     * (publisher identity) and the track row (an Opus track, so OGG).
     */
    @TestFactory
    Stream<DynamicTest> seed001FilenameExamples() {
        String[][] rows = {
            {"\"\"", "", ".mp4", "testroom-2022-10-04T011306.mp4"},
            {"\"livekit-recordings/\"", "livekit-recordings/", ".mp4",
                "livekit-recordings/testroom-2022-10-04T011306.mp4"},
            {"\"{room_name}/{time}\"", "{room_name}/{time}", ".mp4", "testroom/2022-10-04T011306.mp4"},
            {"\"{room_id}-{publisher_identity}.mp4\"", "{room_id}-{publisher_identity}.mp4", ".mp4",
                "10719607-f7b0-4d82-afe1-06b77e91fe12-david.mp4"},
            {"\"{track_type}-{track_source}-{track_id}\"", "{track_type}-{track_source}-{track_id}", ".ogg",
                "audio-microphone-TR_SKasdXCVgHsei.ogg"},
        };
        return Stream.of(rows).map(row -> DynamicTest.dynamicTest(row[0] + " -> " + row[3], () -> {
            FilenameTemplate t = template()
                    .with("{room_name}", "testroom")
                    .with("{room_id}", "10719607-f7b0-4d82-afe1-06b77e91fe12")
                    .with("{publisher_identity}", "david")
                    .with("{track_id}", "TR_SKasdXCVgHsei")
                    .with("{track_type}", "audio")
                    .with("{track_source}", "microphone");
            assertThat(t.resolveFilePath(FilenameTemplate.clean(row[1]), "testroom", row[2], 0)).isEqualTo(row[3]);
        }));
    }

    @Test
    void time() {
        assertThat(template().time()).isEqualTo("2022-10-04T011306");
        assertThat(template().apply("{time}")).isEqualTo("2022-10-04T011306");
    }

    @Test
    void timeUsesTheGivenZoneAndUtcIsAlwaysUtc() {
        FilenameTemplate ny = new FilenameTemplate(NOW, ZoneId.of("America/New_York"));
        assertThat(ny.time()).isEqualTo("2022-10-03T211306");
        assertThat(ny.apply("{time}|{utc}")).isEqualTo("2022-10-03T211306|20221004011306042");
        FilenameTemplate tokyo = new FilenameTemplate(NOW, ZoneId.of("Asia/Tokyo"));
        assertThat(tokyo.apply("{utc}")).isEqualTo("20221004011306042");
    }

    @Test
    void utcHasThreeDigitMilliseconds() {
        assertThat(new FilenameTemplate(Instant.parse("2024-01-02T03:04:05Z"), ZoneOffset.UTC).apply("{utc}"))
                .isEqualTo("20240102030405000");
        assertThat(new FilenameTemplate(Instant.parse("2024-01-02T03:04:05.999999999Z"), ZoneOffset.UTC)
                .apply("{utc}")).isEqualTo("20240102030405999");
    }

    @Test
    void everyOccurrenceIsReplaced() {
        assertThat(template().with("{room_name}", "r").apply("{room_name}/{room_name}-{time}"))
                .isEqualTo("r/r-2022-10-04T011306");
    }

    @Test
    void unknownOrUnsetPlaceholdersAreKept() {
        FilenameTemplate t = template().with("{publisher_identity}", null);
        assertThat(t.apply("{publisher_identity}/{track_id}/{foo}")).isEqualTo("{publisher_identity}/{track_id}/{foo}");
    }

    @Test
    void withReplacesAnEarlierValue() {
        assertThat(template().with("{room_name}", "a").with("{room_name}", "b").apply("{room_name}")).isEqualTo("b");
    }

    @Test
    void emptyPathGeneratesIdentifierAndTime() {
        assertThat(template().resolveFilePath("", "testroom", ".mp4", 0)).isEqualTo("testroom-2022-10-04T011306.mp4");
        assertThat(template().resolveFilePath("", "web", ".ogg", 0)).isEqualTo("web-2022-10-04T011306.ogg");
    }

    @Test
    void trailingSlashIsADirectory() {
        assertThat(template().resolveFilePath("a/b/", "testroom", ".mp4", 0))
                .isEqualTo("a/b/testroom-2022-10-04T011306.mp4");
        assertThat(resolve("recordings/{room_name}/", ".mp4"))
                .isEqualTo("recordings/testroom/testroom-2022-10-04T011306.mp4");
    }

    @Test
    void retryIsAppendedToGeneratedNamesOnly() {
        assertThat(template().resolveFilePath("", "testroom", ".mp4", 2)).isEqualTo("testroom-2022-10-04T011306-2.mp4");
        assertThat(template().resolveFilePath("dir/", "testroom", ".mp4", 1))
                .isEqualTo("dir/testroom-2022-10-04T011306-1.mp4");
        assertThat(template().with("{retry}", "1").resolveFilePath("my-{retry}", "testroom", ".mp4", 1))
                .isEqualTo("my-1.mp4");
    }

    @Test
    void extensionHandling() {
        assertThat(resolve("a", ".mp4")).isEqualTo("a.mp4");
        assertThat(resolve("a.mp4", ".mp4")).isEqualTo("a.mp4");
        // a different known extension is replaced
        for (String known : new String[] {".raw", ".ogg", ".mp3", ".ivf", ".ts", ".webm", ".m3u8", ".jpeg"}) {
            assertThat(resolve("dir/a" + known, ".mp4")).as(known).isEqualTo("dir/a.mp4");
        }
        assertThat(resolve("a.mp4", ".ogg")).isEqualTo("a.ogg");
        // an unknown one is kept
        assertThat(resolve("a.txt", ".mp4")).isEqualTo("a.txt.mp4");
        assertThat(resolve("a.MP4", ".mp4")).isEqualTo("a.MP4.mp4");
        assertThat(resolve("a.jpg", ".mp4")).isEqualTo("a.jpg.mp4");
        // only the last dot counts
        assertThat(resolve("dir.v1/file", ".mp4")).isEqualTo("dir.v1/file.mp4");
        assertThat(resolve("a.ogg.txt", ".mp4")).isEqualTo("a.ogg.txt.mp4");
        assertThat(resolve("a.txt.ogg", ".mp4")).isEqualTo("a.txt.mp4");
    }

    @Test
    void placeholdersAreResolvedBeforeTheExtensionCheck() {
        FilenameTemplate t = template().with("{track_id}", "x.ogg");
        assertThat(t.resolveFilePath("{track_id}", "r", ".mp4", 0)).isEqualTo("x.mp4");
    }

    @Test
    void clean() {
        assertThat(FilenameTemplate.clean(null)).isEmpty();
        assertThat(FilenameTemplate.clean("")).isEmpty();
        assertThat(FilenameTemplate.clean("../../etc/x")).isEqualTo("etc/x");
        assertThat(FilenameTemplate.clean("a/./b//c")).isEqualTo("a/b/c");
        assertThat(FilenameTemplate.clean("a/b/../c")).isEqualTo("a/c");
        assertThat(FilenameTemplate.clean("a/../../b/")).isEqualTo("b/");
        assertThat(FilenameTemplate.clean("/out/../etc/x")).isEqualTo("/etc/x");
        assertThat(FilenameTemplate.clean("/../etc")).isEqualTo("/etc");
        assertThat(FilenameTemplate.clean("//a///b/")).isEqualTo("/a/b/");
        assertThat(FilenameTemplate.clean("dir/")).isEqualTo("dir/");
        assertThat(FilenameTemplate.clean("./dir/")).isEqualTo("dir/");
        assertThat(FilenameTemplate.clean(".")).isEmpty();
        assertThat(FilenameTemplate.clean("./")).isEmpty();
        assertThat(FilenameTemplate.clean("..")).isEmpty();
        assertThat(FilenameTemplate.clean("../")).isEmpty();
        assertThat(FilenameTemplate.clean("a/..")).isEmpty();
        assertThat(FilenameTemplate.clean("..a/b")).isEqualTo("..a/b");
        assertThat(FilenameTemplate.clean("{room_name}/{time}")).isEqualTo("{room_name}/{time}");
    }

    @Test
    void cleanedPathsNeverClimb() {
        for (String p : new String[] {"../x", "../../x", "a/../../x", "./../x", "../a/../../x"}) {
            String c = FilenameTemplate.clean(p);
            assertThat(c).as(p).doesNotStartWith("..").doesNotContain("/../").isEqualTo("x");
        }
    }

    @Test
    void lexicalCleanMatchesGoPathClean() {
        assertThat(FilenameTemplate.lexicalClean("")).isEqualTo(".");
        assertThat(FilenameTemplate.lexicalClean("/")).isEqualTo("/");
        assertThat(FilenameTemplate.lexicalClean("a/b/")).isEqualTo("a/b");
        assertThat(FilenameTemplate.lexicalClean("../../a")).isEqualTo("../../a");
        assertThat(FilenameTemplate.lexicalClean("a/../..")).isEqualTo("..");
        assertThat(FilenameTemplate.lexicalClean("/..")).isEqualTo("/");
    }
}
