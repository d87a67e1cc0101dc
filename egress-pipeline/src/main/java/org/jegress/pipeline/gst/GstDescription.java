package org.jegress.pipeline.gst;

/** Helpers for writing {@code gst-launch} style bin descriptions safely. */
public final class GstDescription {

    private GstDescription() {
    }

    /** Quotes a property value (file paths, device names) so spaces, quotes and '!' survive the parser. */
    public static String quote(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
