package org.jegress.api.plan;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jegress.api.error.EgressException;

/**
 * Stream URL rules as upstream applies them ({@code config/urls.go}): the scheme decides the output type; RTMP URLs
 * must read {@code rtmp(s)://host(/path)/app/stream_key( live=1)}; {@code mux://<key>} becomes Mux's global RTMPS
 * ingest and {@code twitch://<key>} (or a Twitch {@code *.contribute.live-video.net} URL) Twitch's preferred ingest;
 * the stream key is redacted to {@code {str...key}} in what is reported. Thread-safe; the Twitch template is looked
 * up once per instance.
 */
public final class StreamUrls {

    static final String RTMP_FORMAT = "rtmp urls must be of format rtmp(s)://{host}(/{path})/{app}/{stream_key}( live=1)";

    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*):");
    private static final Pattern RTMP = Pattern.compile("^(rtmps?://)(.*/)(.*/)(\\S*)( live=1)?$");
    private static final Pattern TWITCH_ENDPOINT =
            Pattern.compile("^rtmps?://.*\\.contribute\\.live-video\\.net/app/(.*?)( live=1)?$");
    private static final String MUX = "rtmps://global-live.mux.com:443/app/";

    private final StreamIngests ingests;
    private final java.util.Set<String> customSchemes;
    private volatile String twitchTemplate;

    public StreamUrls(StreamIngests ingests) {
        this(ingests, java.util.Set.of());
    }

    /**
     * @param customSchemes lower-case schemes that custom sinks claim ({@link OutputType#CUSTOM} destinations)
     */
    public StreamUrls(StreamIngests ingests, java.util.Set<String> customSchemes) {
        this.ingests = ingests;
        this.customSchemes = java.util.Set.copyOf(customSchemes);
    }

    /** The output type of a URL: a built-in scheme (see {@link #typeOf(String)}), else CUSTOM for a claimed one. */
    public Optional<OutputType> outputTypeOf(String url) {
        Optional<OutputType> builtIn = typeOf(url);
        if (builtIn.isPresent()) {
            return builtIn;
        }
        return customSchemes.contains(scheme(url)) ? Optional.of(OutputType.CUSTOM) : Optional.empty();
    }

    /**
     * The output type a URL's scheme selects: RTMP for {@code rtmp}, {@code rtmps}, {@code mux}, {@code twitch};
     * SRT for {@code srt}; {@link OutputType#RAW} (a WebSocket) for {@code ws}, {@code wss}.
     */
    public static Optional<OutputType> typeOf(String url) {
        return switch (scheme(url)) {
            case "rtmp", "rtmps", "mux", "twitch" -> Optional.of(OutputType.RTMP);
            case "srt" -> Optional.of(OutputType.SRT);
            case "ws", "wss" -> Optional.of(OutputType.RAW);
            default -> Optional.empty();
        };
    }

    /** The lower-cased scheme, or "" when there is none (Go's url.Parse lower-cases schemes). */
    static String scheme(String url) {
        Matcher m = SCHEME.matcher(url);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "";
    }

    /**
     * Validates one destination of an output of {@code type}.
     *
     * @throws EgressException "invalid url &lt;url&gt;: &lt;reason&gt;"
     */
    public StreamUrl parse(String requested, OutputType type) {
        checkSyntax(requested);
        if (outputTypeOf(requested).orElse(null) != type) {
            throw EgressException.invalidUrl(requested, "invalid scheme");
        }
        switch (type) {
            case RTMP: {
                String url = resolve(requested, false);
                Matcher m = RTMP.matcher(url);
                if (!m.matches()) {
                    throw EgressException.invalidUrl(requested, RTMP_FORMAT);
                }
                String redacted = m.group(1) + m.group(2) + m.group(3) + Redaction.identifier(m.group(4))
                        + (m.group(5) == null ? "" : m.group(5));
                return new StreamUrl(requested, url, redacted);
            }
            case SRT:
                // an SRT streamid usually carries the publishing key: hidden like any query value
                return new StreamUrl(requested, requested, Redaction.queryValues(requested));
            case RAW:
                return new StreamUrl(requested, requested, requested);
            case CUSTOM:
                return new StreamUrl(requested, requested, Redaction.queryValues(requested));
            default:
                throw EgressException.invalidInput("stream output type");
        }
    }

    /**
     * The URL a sink would connect to for {@code requested}, for finding a running destination again (UpdateStream
     * may name a stream by its shorthand).
     */
    public String canonical(String requested) {
        checkSyntax(requested);
        return resolve(requested, true);
    }

    private String resolve(String requested, boolean strict) {
        String scheme = scheme(requested);
        if (scheme.equals("mux")) {
            return MUX + host(requested);
        }
        if (scheme.equals("twitch")) {
            return twitch(host(requested), requested);
        }
        Matcher t = TWITCH_ENDPOINT.matcher(requested);
        if (t.matches()) {
            // upstream prefers the current ingest but keeps the URL as given when the lookup fails (unless matching)
            try {
                return twitch(t.group(1), requested);
            } catch (EgressException e) {
                if (strict) {
                    throw e;
                }
            }
        }
        return requested;
    }

    private String twitch(String key, String requested) {
        String template = twitchTemplate;
        if (template == null) {
            try {
                template = ingests.twitchTemplate();
            } catch (IOException e) {
                throw EgressException.invalidUrl(requested, e.getMessage());
            }
            twitchTemplate = template;
        }
        return template.replace("{stream_key}", key);
    }

    /** Go's url.Parse: the host of {@code scheme://host/...}. */
    private static String host(String url) {
        int start = url.indexOf("://");
        String rest = start < 0 ? url.substring(url.indexOf(':') + 1) : url.substring(start + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return rest.substring(0, end);
    }

    /** What Go's url.Parse refuses before anything else: control characters and a missing scheme separator. */
    private static void checkSyntax(String url) {
        if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw EgressException.invalidUrl(url, "net/url: invalid control character in URL");
        }
    }
}
