package org.jegress.server.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to an endpoint on the loopback interface only. */
final class HttpGet {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpGet() {
    }

    static HttpResponse<String> send(String method, int port, String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return send("GET", port, path);
    }
}
