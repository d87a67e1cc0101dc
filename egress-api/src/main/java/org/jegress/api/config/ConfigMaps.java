package org.jegress.api.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns config objects back into the nested maps of their YAML keys, with durations in Go syntax. Used for
 * {@code redacted()} and the {@code toString()} of secret-bearing types, and by the tests to round-trip a config.
 * Property names are the Java names in snake_case; the few that differ are listed in {@link #KEY_OVERRIDES}.
 */
final class ConfigMaps {
    /** Shown instead of a non-empty secret. */
    static final String REDACTED = "<redacted>";

    private static final Set<String> SECRET_NAMES = Set.of(
            "apiSecret", "s3AssumeRoleSecret", "password", "sentinelPassword", "secret", "sessionToken",
            "accountKey", "credentialsJson");

    private static final Map<String, String> KEY_OVERRIDES = Map.of(
            "dialTimeoutMillis", "dial_timeout",
            "readTimeoutMillis", "read_timeout",
            "writeTimeoutMillis", "write_timeout");

    /** Fields of {@link EgressConfig} that are not config keys. */
    private static final Set<String> NOT_KEYS = Set.of("warnings");

    private ConfigMaps() {
    }

    /**
     * The YAML-shaped map of a config object; {@code null} members are left out. With {@code redact}, non-empty
     * secrets become {@value #REDACTED}.
     */
    static Map<String, Object> toMap(Object config, boolean redact) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, Object> member : members(config).entrySet()) {
            String name = member.getKey();
            Object value = member.getValue();
            if (value == null) {
                continue;
            }
            if (config instanceof DebugConfig && value instanceof StorageConfig storage) {
                // upstream inlines the debug upload target into the debug block
                map.putAll(toMap(storage, redact));
            } else if (redact && SECRET_NAMES.contains(name) && value instanceof String s && !s.isEmpty()) {
                map.put(keyOf(name), REDACTED);
            } else {
                map.put(keyOf(name), plain(value, redact));
            }
        }
        return Collections.unmodifiableMap(map);
    }

    private static Object plain(Object value, boolean redact) {
        if (value instanceof Duration duration) {
            return GoDuration.format(duration);
        }
        if (value instanceof CpuCostConfig.MemorySource source) {
            return source.configName();
        }
        if (value instanceof Record || value instanceof EgressConfig) {
            return toMap(value, redact);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v == null ? null : plain(v, redact)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(v == null ? null : plain(v, redact)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    private static Map<String, Object> members(Object config) {
        Map<String, Object> members = new LinkedHashMap<>();
        try {
            if (config instanceof Record) {
                for (RecordComponent component : config.getClass().getRecordComponents()) {
                    members.put(component.getName(), component.getAccessor().invoke(config));
                }
            } else {
                for (Field field : config.getClass().getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers()) && !NOT_KEYS.contains(field.getName())) {
                        field.setAccessible(true);
                        members.put(field.getName(), field.get(config));
                    }
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + config.getClass().getSimpleName(), e);
        }
        return members;
    }

    private static String keyOf(String javaName) {
        String override = KEY_OVERRIDES.get(javaName);
        if (override != null) {
            return override;
        }
        StringBuilder key = new StringBuilder();
        for (char c : javaName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                key.append('_').append(Character.toLowerCase(c));
            } else {
                key.append(c);
            }
        }
        return key.toString();
    }
}
