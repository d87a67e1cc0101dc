package org.jegress.server.psrpc;

import java.util.List;

/**
 * Redis channel names, in psrpc's "Legacy" form, the only one its Redis bus uses (psrpc-wire.md §1.5).
 *
 * <p>Parts are joined with {@code |}; each string part is sanitized (code points outside {@code [0-9A-Za-z_]}
 * become {@code u+xxxx}, or {@code U+xxxxxxxx} above the BMP). A topic is a list of segments; no topic and a
 * single empty segment both vanish from the name. The client-side channels (RES, CLAIM) carry the service name
 * and the client ID, never the method.
 */
public final class Channels {
    private static final char DELIMITER = '|';

    private Channels() {
    }

    /** {@code <service>|<method>|<topic…>|REQ}: requests, subscribed by servers. */
    public static String request(String service, String method, String... topic) {
        return format(service, method, List.of(topic), "REQ");
    }

    /** {@code <service>|<method>|<topic…>|RCLAIM}: the client's choice of server, subscribed by claiming servers. */
    public static String claimResponse(String service, String method, String... topic) {
        return format(service, method, List.of(topic), "RCLAIM");
    }

    /** {@code <service>|<method>|<topic…>|STR}: client-to-server stream messages (not used by egress). */
    public static String serverStream(String service, String method, String... topic) {
        return format(service, method, List.of(topic), "STR");
    }

    /** {@code <service>|<clientId>|RES}: responses, subscribed by the client. */
    public static String response(String service, String clientId) {
        return format(service, clientId, "RES");
    }

    /** {@code <service>|<clientId>|CLAIM}: servers' bids, subscribed by the client. */
    public static String claim(String service, String clientId) {
        return format(service, clientId, "CLAIM");
    }

    /** {@code <service>|<nodeId>|STR}: server-to-client stream messages (not used by egress). */
    public static String clientStream(String service, String nodeId) {
        return format(service, nodeId, "STR");
    }

    /**
     * Joins parts: a {@code String} is one sanitized part, a {@code List<String>} is a nested part whose items
     * are joined by the same rule. A delimiter precedes a part only if the previous part at the same level wrote
     * at least one character of its own (a delimiter alone does not count). Hence an empty topic vanishes, while
     * a trailing empty segment {@code ["a",""]} leaves {@code a||REQ}, as in Go.
     */
    static String format(Object... parts) {
        StringBuilder sb = new StringBuilder(64);
        appendParts(sb, List.of(parts));
        return sb.toString();
    }

    private static void appendParts(StringBuilder sb, List<?> parts) {
        boolean delimit = false;
        for (Object part : parts) {
            if (delimit) {
                sb.append(DELIMITER);
            }
            int before = sb.length();
            if (part instanceof List<?> nested) {
                appendParts(sb, nested);
            } else {
                appendSanitized(sb, part == null ? "" : part.toString());
            }
            delimit = sb.length() > before;
        }
    }

    private static void appendSanitized(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= '0' && cp <= '9' || cp >= 'A' && cp <= 'Z' || cp >= 'a' && cp <= 'z' || cp == '_') {
                sb.append((char) cp);
                continue;
            }
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                cp = 0xFFFD; // a lone surrogate is not a rune; Go renders undecodable input as RuneError
            }
            if (cp < 0x10000) {
                sb.append("u+").append(String.format("%04x", cp));
            } else {
                sb.append("U+").append(String.format("%08x", cp));
            }
        }
    }
}
