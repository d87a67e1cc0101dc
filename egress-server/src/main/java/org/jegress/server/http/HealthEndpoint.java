package org.jegress.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import org.jegress.api.rpc.StartEgressRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health/status endpoint on {@code health_port}: every path and method answers HTTP 200 with
 * {@code {"CpuLoad": <available CPU cores>, "<egress_id>": <request>, …}}, keys sorted as Go's
 * {@code encoding/json} sorts map keys. Despite its name, upstream's {@code CpuLoad} is the number of cores still
 * available to new egresses ({@code Monitor.GetAvailableCPU}), and may be negative on an over-subscribed node.
 *
 * <p>Each request is printed as proto3 JSON with the proto field names ({@code egress_id}, {@code file_outputs}),
 * which are also the names upstream's output uses. Upstream prints requests unredacted, storage credentials
 * included; a worker that wants otherwise passes redacted copies through its {@link Source}.
 */
public final class HealthEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthEndpoint.class);

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    /** What the endpoint shows; implemented by the worker. Called on every request, from the endpoint's threads. */
    public interface Source {
        /** CPU cores available to a new egress ({@code Admission.availableCpu()}). */
        double availableCpu();

        /** The requests of the egresses running on this node, by egress id. */
        Map<String, StartEgressRequest> activeRequests();
    }

    private final EndpointServer server;
    private final Source source;

    private HealthEndpoint(InetSocketAddress address, Source source) {
        this.source = Objects.requireNonNull(source, "source");
        this.server = new EndpointServer(address, "egress-health", this::handle);
    }

    /**
     * Listens on {@code port} on all interfaces, as upstream does; port 0 binds an ephemeral port.
     *
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    public static HealthEndpoint start(int port, Source source) {
        return new HealthEndpoint(new InetSocketAddress(port), source);
    }

    /** Listens on a specific address. */
    public static HealthEndpoint start(InetSocketAddress address, Source source) {
        return new HealthEndpoint(address, source);
    }

    /** Starts the endpoint as configured: empty when {@code health_port} is 0 (off, the default). */
    public static Optional<HealthEndpoint> startIfEnabled(int healthPort, Source source) {
        return healthPort > 0 ? Optional.of(start(healthPort, source)) : Optional.empty();
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** Renders the status document. */
    public static String render(double availableCpu, Map<String, StartEgressRequest> requests) {
        Map<String, String> members = new TreeMap<>();
        members.put("CpuLoad", jsonNumber(availableCpu));
        requests.forEach((id, req) -> members.put(id, requestJson(req)));
        StringBuilder sb = new StringBuilder("{");
        members.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            jsonString(sb, k);
            sb.append(':').append(v);
        });
        return sb.append('}').toString();
    }

    private static String requestJson(StartEgressRequest req) {
        try {
            return PRINTER.print(req);
        } catch (InvalidProtocolBufferException e) {
            return "{}"; // only Any fields can fail to print, and the request has none
        }
    }

    /** A JSON number the way Go prints a float64 ({@code 8}, {@code 1.6}); NaN and infinities become 0. */
    static String jsonNumber(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
            return "0";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            int status = 200;
            try {
                body = render(source.availableCpu(), source.activeRequests()).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                log.warn("health status failed", e);
                status = 500;
                body = ("{\"error\":\"" + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
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
