package org.jegress.pipeline;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.api.plan.StreamIngests;

/**
 * Twitch's ingest list ({@code https://ingest.twitch.tv/ingests}), as upstream reads it: the first ingest with a
 * secure URL template, else the first with a plain one. Only asked when a request names a {@code twitch://} URL.
 */
public final class TwitchIngests implements StreamIngests {

    public static final URI INGESTS = URI.create("https://ingest.twitch.tv/ingests");

    private final URI source;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TwitchIngests() {
        this(INGESTS);
    }

    /** @param source where the ingest list is read (a local copy in tests) */
    public TwitchIngests(URI source) {
        this.source = source;
    }

    @Override
    public String twitchTemplate() throws IOException {
        HttpResponse<String> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(source).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the twitch ingests", e);
        }
        if (resp.statusCode() != 200) {
            throw new IOException("twitch ingests: HTTP " + resp.statusCode());
        }
        JsonNode ingests = new ObjectMapper().readTree(resp.body()).path("ingests");
        for (JsonNode ingest : ingests) {
            String secure = ingest.path("url_template_secure").asText("");
            if (!secure.isEmpty()) {
                return secure;
            }
            String plain = ingest.path("url_template").asText("");
            if (!plain.isEmpty()) {
                return plain;
            }
        }
        throw new IOException("no ingest found");
    }
}
