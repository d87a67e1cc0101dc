package org.jegress.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One YAML mapping of the config, read leniently. A value that does not fit its field keeps the field's default
 * and records a warning instead of failing the whole file (Go's yaml.v3 would reject it), because the documented
 * example configs put prose where numbers and booleans belong. Every key read is remembered so that the rest can
 * be reported as unknown.
 */
final class ConfigNode {
    private final String path;
    private final ObjectNode mapping;
    private final List<String> warnings;
    private final Set<String> readKeys = new HashSet<>();

    ConfigNode(String path, ObjectNode mapping, List<String> warnings) {
        this.path = path;
        this.mapping = mapping;
        this.warnings = warnings;
    }

    static ConfigNode empty(String path, List<String> warnings) {
        return new ConfigNode(path, JsonNodeFactory.instance.objectNode(), warnings);
    }

    /** The dotted path of {@code key} below this mapping, as used in warnings. */
    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether {@code key} is present with a non-null value. */
    boolean isSet(String key) {
        return value(key) != null;
    }

    /** The keys of this mapping, in document order. */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        mapping.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    void warn(String message) {
        warnings.add(message);
    }

    /** Adds {@code "<path of key>: <message>"}. */
    void warn(String key, String message) {
        warnings.add(pathOf(key) + ": " + message);
    }

    /** Warns about every key of this mapping that no reader asked for; call once the mapping is fully read. */
    void reportUnknownKeys() {
        for (String key : keys()) {
            if (!readKeys.contains(key)) {
                warnings.add("unknown config key \"" + pathOf(key) + "\" ignored");
            }
        }
    }

    /** Any scalar as text, as Go decodes a scalar into a string field. */
    String string(String key, String fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (value.isValueNode()) {
            return value.asText();
        }
        return rejected(key, value, "a string", quote(fallback), fallback);
    }

    int integer(String key, int fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        Long number = wholeNumber(value);
        if (number != null && number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
            return number.intValue();
        }
        return rejected(key, value, "a valid integer", Integer.toString(fallback), fallback);
    }

    long longInteger(String key, long fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        Long number = wholeNumber(value);
        if (number != null) {
            return number;
        }
        return rejected(key, value, "a valid integer", Long.toString(fallback), fallback);
    }

    double number(String key, double fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        Double number = null;
        if (value.isNumber()) {
            number = value.doubleValue();
        } else if (value.isTextual()) {
            try {
                number = Double.valueOf(value.textValue().trim());
            } catch (NumberFormatException notANumber) {
                number = null;
            }
        }
        if (number != null && Double.isFinite(number)) {
            return number;
        }
        return rejected(key, value, "a valid number", formatNumber(fallback), fallback);
    }

    /** Also takes yaml.v3's YAML 1.1 spellings (y/yes/on, n/no/off) for boolean fields. */
    boolean bool(String key, boolean fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            switch (value.textValue().toLowerCase(Locale.ROOT)) {
                case "true", "y", "yes", "on":
                    return true;
                case "false", "n", "no", "off":
                    return false;
                default:
                    break;
            }
        }
        return rejected(key, value, "a valid boolean", Boolean.toString(fallback), fallback);
    }

    /**
     * A Go duration string. A bare integer is taken as nanoseconds (Go's unit for {@code time.Duration}); since that
     * is rarely what was meant, a non-zero one also earns a warning.
     */
    Duration duration(String key, Duration fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (value.isTextual()) {
            try {
                return GoDuration.parse(value.textValue());
            } catch (IllegalArgumentException invalid) {
                return rejected(key, value, "a valid duration", GoDuration.format(fallback), fallback);
            }
        }
        Long nanos = value.isNumber() ? wholeNumber(value) : null;
        if (nanos != null) {
            if (nanos != 0) {
                warn(key, "bare number " + nanos + " is read as nanoseconds; write a unit, e.g. \"" + nanos + "s\"");
            }
            return Duration.ofNanos(nanos);
        }
        return rejected(key, value, "a valid duration", GoDuration.format(fallback), fallback);
    }

    List<String> stringList(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            return rejected(key, value, "a list", "[]", List.of());
        }
        List<String> items = new ArrayList<>();
        for (JsonNode item : value) {
            if (item.isValueNode() && !item.isNull()) {
                items.add(item.asText());
            } else {
                warn(key, describe(item) + " is not a string; entry skipped");
            }
        }
        return items;
    }

    Map<String, String> stringMap(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return Map.of();
        }
        if (!value.isObject()) {
            return rejected(key, value, "a mapping", "{}", Map.of());
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (entry.getValue().isValueNode() && !entry.getValue().isNull()) {
                entries.put(entry.getKey(), entry.getValue().asText());
            } else {
                warn(pathOf(key) + "." + entry.getKey() + ": " + describe(entry.getValue())
                        + " is not a string; entry skipped");
            }
        }
        return entries;
    }

    /** A free-form mapping as plain Java values (String, Integer, Long, Double, Boolean, List, Map, null). */
    Map<String, Object> freeFormMap(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return Map.of();
        }
        if (!value.isObject()) {
            return rejected(key, value, "a mapping", "{}", Map.of());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> entries = (Map<String, Object>) plainValue(value);
        return Collections.unmodifiableMap(entries);
    }

    /** The nested mapping under {@code key}, or {@code null} when it is absent, null, or not a mapping. */
    ConfigNode child(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            return rejected(key, value, "a mapping", "defaults", null);
        }
        return new ConfigNode(pathOf(key), (ObjectNode) value, warnings);
    }

    /** Like {@link #child}, but an empty mapping instead of {@code null}, so every field reads its default. */
    ConfigNode childOrEmpty(String key) {
        ConfigNode child = child(key);
        return child != null ? child : empty(pathOf(key), warnings);
    }

    private JsonNode value(String key) {
        readKeys.add(key);
        JsonNode value = mapping.get(key);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    private <T> T rejected(String key, JsonNode value, String expected, String fallbackText, T fallback) {
        warn(key, describe(value) + " is not " + expected + "; using " + fallbackText);
        return fallback;
    }

    private static Long wholeNumber(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? value.longValue() : null;
        }
        BigDecimal decimal = null;
        if (value.isFloatingPointNumber() && Double.isFinite(value.doubleValue())) {
            decimal = value.decimalValue();
        } else if (value.isTextual()) {
            try {
                decimal = new BigDecimal(value.textValue().trim());
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        if (decimal == null) {
            return null;
        }
        try {
            return decimal.longValueExact();
        } catch (ArithmeticException fractionalOrTooLarge) {
            return null;
        }
    }

    private static Object plainValue(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), plainValue(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plainValue(item)));
            return list;
        }
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        return node.asText();
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isTextual()) {
            return quote(value.textValue());
        }
        return value.asText();
    }

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String formatNumber(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
