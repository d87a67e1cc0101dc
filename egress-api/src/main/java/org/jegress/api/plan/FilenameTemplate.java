package org.jegress.api.plan;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filename templating as egress does it: {@code {room_name}}, {@code {room_id}}, {@code {time}},
 * {@code {utc}}, {@code {publisher_identity}}, {@code {track_id}}, {@code {track_type}}, {@code {track_source}}
 * and {@code {retry}}; generated names {@code <identifier>-<time><ext>}; a trailing {@code /} means "directory";
 * a missing extension is appended and a different known one replaced; paths are cleaned and may not climb
 * above their root.
 */
public final class FilenameTemplate {

    /** {@code {time}}: Go layout {@code 2006-01-02T150405}, local time of the worker. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmmss");
    /**
     * {@code {utc}}: Go layout {@code 20060102150405} plus milliseconds. Upstream formats the container's
     * local time, which is UTC in its docker image; we always use UTC so the name means what it says.
     */
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS");

    private final Map<String, String> replacements = new LinkedHashMap<>();
    private final String time;

    /**
     * @param now the egress start time
     * @param zone zone for {@code {time}} (upstream uses the process's local time, UTC in docker)
     */
    public FilenameTemplate(Instant now, ZoneId zone) {
        this.time = TIME.format(now.atZone(zone));
        replacements.put("{time}", time);
        replacements.put("{utc}", UTC.format(now.atZone(java.time.ZoneOffset.UTC)));
    }

    /** Adds (or replaces) a placeholder value; a null value leaves the placeholder as is. */
    public FilenameTemplate with(String placeholder, String value) {
        if (value != null) {
            replacements.put(placeholder, value);
        }
        return this;
    }

    public String time() {
        return time;
    }

    /** Replaces every known placeholder. */
    public String apply(String s) {
        String out = s;
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * Resolves a requested file path: placeholders, generated name for empty or directory paths, extension.
     *
     * @param requested cleaned request path (see {@link #clean(String)}), may be empty or end in {@code /}
     * @param identifier what a generated name starts with (room name, identity, track ID or "web")
     * @param extension extension of the output type, including the dot
     * @param retry retry count; a generated name gets {@code -<retry>} when positive
     */
    public String resolveFilePath(String requested, String identifier, String extension, int retry) {
        String path = apply(requested);
        if (path.isEmpty() || path.endsWith("/")) {
            return path + generatedName(identifier, retry) + extension;
        }
        return withExtension(path, extension);
    }

    /** The name of a file whose request named none: {@code <identifier>-<time>}, plus {@code -<retry>} on a retry. */
    public String generatedName(String identifier, int retry) {
        return identifier + "-" + time + (retry > 0 ? "-" + retry : "");
    }

    /** Appends {@code extension} unless present, replacing a different known extension. */
    public static String withExtension(String path, String extension) {
        if (path.endsWith(extension)) {
            return path;
        }
        int dot = path.lastIndexOf('.');
        if (dot > -1 && OutputType.KNOWN_EXTENSIONS.contains(path.substring(dot))) {
            path = path.substring(0, dot);
        }
        return path + extension;
    }

    /**
     * Cleans a path lexically (Go {@code path.Clean}) and strips leading {@code ../} so a relative path can
     * never climb above the directory it is resolved against. A trailing slash is kept.
     */
    public static String clean(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        boolean trailingSlash = path.endsWith("/");
        String cleaned = lexicalClean(path);
        while (cleaned.startsWith("../")) {
            cleaned = cleaned.substring(3);
        }
        if (cleaned.isEmpty() || cleaned.equals(".") || cleaned.equals("..")) {
            return "";
        }
        return trailingSlash && !cleaned.endsWith("/") ? cleaned + "/" : cleaned;
    }

    /** Go's path.Clean: collapse slashes, drop "." elements, resolve ".." lexically. */
    static String lexicalClean(String path) {
        boolean rooted = path.startsWith("/");
        String[] parts = path.split("/");
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.peekLast().equals("..")) {
                    out.removeLast();
                } else if (!rooted) {
                    out.addLast("..");
                }
                continue;
            }
            out.addLast(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }
}
