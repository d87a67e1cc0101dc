package org.jegress.api.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.Duration} text syntax ({@code "1h30m"}, {@code "2.75s"}, {@code "500ms"}, {@code "300us"},
 * {@code "0"}), so config files written for the Go egress keep their meaning. Error messages are worded as Go's
 * {@code time.ParseDuration} words them.
 */
public final class GoDuration {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final BigInteger MAX_POSITIVE = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger MAX_MAGNITUDE = MAX_POSITIVE.add(BigInteger.ONE);

    private static final Map<String, Long> UNIT_NANOS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L, // micro sign, as Go accepts it
            "\u03bcs", 1_000L, // Greek small letter mu, as Go accepts it
            "ms", 1_000_000L,
            "s", NANOS_PER_SECOND,
            "m", 60 * NANOS_PER_SECOND,
            "h", 3600 * NANOS_PER_SECOND);

    private GoDuration() {
    }

    /**
     * Parses a Go duration string: an optional sign followed by one or more decimal numbers, each with a unit
     * ({@code ns, us, µs, ms, s, m, h}); a lone {@code "0"} needs no unit. Fractions below a nanosecond are
     * truncated, and the result must fit Go's signed 64-bit nanosecond range.
     *
     * @throws IllegalArgumentException with Go's message, e.g. {@code time: missing unit in duration "15"}
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("time: invalid duration \"\"");
        }
        String rest = text;
        boolean negative = false;
        if (!rest.isEmpty() && (rest.charAt(0) == '-' || rest.charAt(0) == '+')) {
            negative = rest.charAt(0) == '-';
            rest = rest.substring(1);
        }
        if (rest.equals("0")) {
            return Duration.ZERO;
        }
        if (rest.isEmpty()) {
            throw invalid(text);
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        int i = 0;
        while (i < rest.length()) {
            int numberStart = i;
            while (i < rest.length() && isDigit(rest.charAt(i))) {
                i++;
            }
            boolean hasIntegerDigits = i > numberStart;
            boolean hasFractionDigits = false;
            if (i < rest.length() && rest.charAt(i) == '.') {
                int fractionStart = ++i;
                while (i < rest.length() && isDigit(rest.charAt(i))) {
                    i++;
                }
                hasFractionDigits = i > fractionStart;
            }
            if (!hasIntegerDigits && !hasFractionDigits) {
                throw invalid(text);
            }
            String number = rest.substring(numberStart, i);
            int unitStart = i;
            while (i < rest.length() && rest.charAt(i) != '.' && !isDigit(rest.charAt(i))) {
                i++;
            }
            if (unitStart == i) {
                throw new IllegalArgumentException("time: missing unit in duration \"" + text + "\"");
            }
            String unit = rest.substring(unitStart, i);
            Long nanosPerUnit = UNIT_NANOS.get(unit);
            if (nanosPerUnit == null) {
                throw new IllegalArgumentException(
                        "time: unknown unit \"" + unit + "\" in duration \"" + text + "\"");
            }
            BigDecimal nanos = new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit));
            totalNanos = totalNanos.add(nanos.setScale(0, RoundingMode.DOWN));
            if (totalNanos.toBigInteger().compareTo(MAX_MAGNITUDE) > 0) {
                throw invalid(text);
            }
        }
        BigInteger magnitude = totalNanos.toBigInteger();
        if (!negative && magnitude.compareTo(MAX_POSITIVE) > 0) {
            throw invalid(text);
        }
        BigInteger nanos = negative ? magnitude.negate() : magnitude;
        return Duration.ofNanos(nanos.longValueExact());
    }

    /**
     * Formats like Go's {@code Duration.String()}: {@code "0s"}, {@code "1.5ms"}, {@code "2.75s"},
     * {@code "1h30m0s"}. Durations beyond Go's 64-bit nanosecond range are clamped to it.
     */
    public static String format(Duration duration) {
        long nanos = toGoNanos(duration);
        if (nanos == 0) {
            return "0s";
        }
        // Unsigned arithmetic keeps Long.MIN_VALUE representable, as Go's uint64 conversion does.
        long magnitude = nanos < 0 ? -nanos : nanos;
        StringBuilder out = new StringBuilder(nanos < 0 ? "-" : "");
        if (Long.compareUnsigned(magnitude, NANOS_PER_SECOND) < 0) {
            if (magnitude < 1_000L) {
                out.append(magnitude).append("ns");
            } else if (magnitude < 1_000_000L) {
                out.append(withFraction(magnitude, 3)).append("\u00b5s");
            } else {
                out.append(withFraction(magnitude, 6)).append("ms");
            }
            return out.toString();
        }
        long seconds = Long.divideUnsigned(magnitude, NANOS_PER_SECOND);
        long fraction = Long.remainderUnsigned(magnitude, NANOS_PER_SECOND);
        long minutes = seconds / 60;
        long hours = minutes / 60;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes % 60).append('m');
        }
        out.append(withFraction((seconds % 60) * NANOS_PER_SECOND + fraction, 9)).append('s');
        return out.toString();
    }

    private static long toGoNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code value / 10^digits} in decimal, without trailing zeros or a dangling point. */
    private static String withFraction(long value, int digits) {
        BigDecimal scaled = new BigDecimal(new BigInteger(Long.toUnsignedString(value)), digits);
        return scaled.stripTrailingZeros().toPlainString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration \"" + text + "\"");
    }
}
