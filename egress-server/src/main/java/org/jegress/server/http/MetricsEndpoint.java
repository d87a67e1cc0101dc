package org.jegress.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus endpoint on {@code prometheus_port}: every path answers with the text exposition format 0.0.4
 * ({@code text/plain; version=0.0.4; charset=utf-8}) of its sources, written in order. Sources must not repeat a
 * family: upstream merges its handlers' families into one document, which is the caller's business here.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    /** The content type of the text format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final EndpointServer server;
    private final List<MetricsSource> sources;

    private MetricsEndpoint(InetSocketAddress address, List<MetricsSource> sources) {
        this.sources = List.copyOf(sources);
        this.sources.forEach(s -> Objects.requireNonNull(s, "source"));
        this.server = new EndpointServer(address, "egress-metrics", this::handle);
    }

    /**
     * Listens on {@code port} on all interfaces, as upstream does; port 0 binds an ephemeral port.
     *
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    public static MetricsEndpoint start(int port, MetricsSource... sources) {
        return new MetricsEndpoint(new InetSocketAddress(port), List.of(sources));
    }

    /** Listens on a specific address. */
    public static MetricsEndpoint start(InetSocketAddress address, MetricsSource... sources) {
        return new MetricsEndpoint(address, List.of(sources));
    }

    /** Starts the endpoint as configured: empty when {@code prometheus_port} is 0 (off, the default). */
    public static Optional<MetricsEndpoint> startIfEnabled(int prometheusPort, MetricsSource... sources) {
        return prometheusPort > 0 ? Optional.of(start(prometheusPort, sources)) : Optional.empty();
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** The document a scrape gets. */
    public String scrape() throws IOException {
        StringBuilder sb = new StringBuilder(8192);
        for (MetricsSource s : sources) {
            s.writeTo(sb);
        }
        return sb.toString();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            int status = 200;
            try {
                body = scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            } catch (IOException | RuntimeException e) {
                log.warn("metrics scrape failed", e);
                status = 500;
                body = ("error gathering metrics: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            }
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops listening. */
    @Override
    public void close() {
        server.close();
    }
}
