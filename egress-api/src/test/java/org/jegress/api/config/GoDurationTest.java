package org.jegress.api.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoDurationTest {

    @Test
    void parsesGoSyntax() {
        Map<String, Long> nanosByText = new LinkedHashMap<>();
        nanosByText.put("1h", 3_600_000_000_000L);
        nanosByText.put("90m", 5_400_000_000_000L);
        nanosByText.put("1h30m", 5_400_000_000_000L);
        nanosByText.put("2.75s", 2_750_000_000L);
        nanosByText.put("2.2s", 2_200_000_000L);
        nanosByText.put("500ms", 500_000_000L);
        nanosByText.put("300us", 300_000L);
        nanosByText.put("300\u00b5s", 300_000L);
        nanosByText.put("300\u03bcs", 300_000L);
        nanosByText.put("15ns", 15L);
        nanosByText.put("0", 0L);
        nanosByText.put("-0", 0L);
        nanosByText.put("0s", 0L);
        nanosByText.put("+5s", 5_000_000_000L);
        nanosByText.put("-1.5h", -5_400_000_000_000L);
        nanosByText.put(".5s", 500_000_000L);
        nanosByText.put("1.s", 1_000_000_000L);
        nanosByText.put("1h2m3s4ms", 3_723_004_000_000L);
        nanosByText.put("1.0000000009s", 1_000_000_000L);
        nanosByText.put("9223372036854775807ns", Long.MAX_VALUE);
        nanosByText.put("-9223372036854775808ns", Long.MIN_VALUE);

        nanosByText.forEach((text, nanos) ->
                assertThat(GoDuration.parse(text)).as(text).isEqualTo(Duration.ofNanos(nanos)));
    }

    @Test
    void rejectsWithGoMessages() {
        Map<String, String> messageByText = new LinkedHashMap<>();
        messageByText.put("", "time: invalid duration \"\"");
        messageByText.put("-", "time: invalid duration \"-\"");
        messageByText.put("abc", "time: invalid duration \"abc\"");
        messageByText.put(".s", "time: invalid duration \".s\"");
        messageByText.put("1", "time: missing unit in duration \"1\"");
        messageByText.put("15", "time: missing unit in duration \"15\"");
        messageByText.put("1h30", "time: missing unit in duration \"1h30\"");
        messageByText.put("1d", "time: unknown unit \"d\" in duration \"1d\"");
        messageByText.put("1 s", "time: unknown unit \" s\" in duration \"1 s\"");
        messageByText.put("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"");
        messageByText.put("3000000h", "time: invalid duration \"3000000h\"");

        messageByText.forEach((text, message) -> assertThatThrownBy(() -> GoDuration.parse(text))
                .as(text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message));
        assertThatThrownBy(() -> GoDuration.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsLikeGo() {
        Map<Long, String> textByNanos = new LinkedHashMap<>();
        textByNanos.put(0L, "0s");
        textByNanos.put(15L, "15ns");
        textByNanos.put(300_000L, "300\u00b5s");
        textByNanos.put(1_500_000L, "1.5ms");
        textByNanos.put(5_000_000L, "5ms");
        textByNanos.put(2_750_000_000L, "2.75s");
        textByNanos.put(60_000_000_000L, "1m0s");
        textByNanos.put(5_400_000_000_000L, "1h30m0s");
        textByNanos.put(3_723_004_000_000L, "1h2m3.004s");
        textByNanos.put(-2_000_000_000L, "-2s");
        textByNanos.put(Long.MIN_VALUE, "-2562047h47m16.854775808s");

        textByNanos.forEach((nanos, text) ->
                assertThat(GoDuration.format(Duration.ofNanos(nanos))).as(text).isEqualTo(text));
    }

    @Test
    void formatClampsBeyondGoRange() {
        assertThat(GoDuration.format(Duration.ofDays(365L * 1000))).isEqualTo("2562047h47m16.854775807s");
    }

    @Test
    void formatRoundTrips() {
        for (String text : List.of("1h30m0s", "2.75s", "5ms", "300\u00b5s", "1ns", "-3m0.5s")) {
            assertThat(GoDuration.format(GoDuration.parse(text))).isEqualTo(text);
        }
    }
}
