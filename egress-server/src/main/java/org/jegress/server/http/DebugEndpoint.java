package org.jegress.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.sun.net.httpserver.HttpExchange;

/**
 * The debug endpoint on {@code debug_handler_port} (off unless set):
 * <ul>
 * <li>{@code GET /gst_pipeline/<egress_id>}: the egress's GStreamer pipeline as a Graphviz DOT graph, asked of its
 * handler with upstream's 3 s timeout (404 for an egress not running here, 503 while it has no pipeline yet, 504 when
 * the handler does not answer in time);</li>
 * <li>{@code GET /threads}: a thread dump of the worker JVM.</li>
 * </ul>
 */
public final class DebugEndpoint implements AutoCloseable {

    /** Upstream's wait for a handler's pipeline graph. */
    static final long DOT_TIMEOUT_MS = 3000;

    /** The egresses the endpoint can ask; implemented by the worker. */
    public interface Source {
        /** The DOT graph of a running egress, as its handler answers; empty if the egress is not running here. */
        Optional<CompletableFuture<String>> pipelineDot(String egressId);
    }

    private final EndpointServer server;
    private final Source source;

    private DebugEndpoint(InetSocketAddress address, Source source) {
        this.source = Objects.requireNonNull(source, "source");
        this.server = new EndpointServer(address, "egress-debug", this::handle);
    }

    /** Listens on {@code port} on all interfaces, as upstream does; port 0 binds an ephemeral port. */
    public static DebugEndpoint start(int port, Source source) {
        return new DebugEndpoint(new InetSocketAddress(port), source);
    }

    /** Starts the endpoint as configured: empty when {@code debug_handler_port} is 0 (off, the default). */
    public static Optional<DebugEndpoint> startIfEnabled(int port, Source source) {
        return port > 0 ? Optional.of(start(port, source)) : Optional.empty();
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain", "method not allowed\n");
            } else if (path.startsWith("/gst_pipeline/") && path.length() > "/gst_pipeline/".length()) {
                pipeline(ex, path.substring("/gst_pipeline/".length()));
            } else if (path.equals("/threads")) {
                send(ex, 200, "text/plain", threadDump());
            } else {
                send(ex, 404, "text/plain", "not found: try /gst_pipeline/<egress_id> or /threads\n");
            }
        } finally {
            ex.close();
        }
    }

    private void pipeline(HttpExchange ex, String egressId) throws IOException {
        Optional<CompletableFuture<String>> dot = source.pipelineDot(egressId);
        if (dot.isEmpty()) {
            send(ex, 404, "text/plain", "egress not found\n");
            return;
        }
        try {
            String graph = dot.get().get(DOT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (graph == null || graph.isEmpty()) {
                send(ex, 503, "text/plain", "egress has no pipeline yet\n");
            } else {
                send(ex, 200, "text/vnd.graphviz", graph);
            }
        } catch (TimeoutException e) {
            send(ex, 504, "text/plain", "handler did not answer within " + DOT_TIMEOUT_MS + " ms\n");
        } catch (ExecutionException e) {
            send(ex, 500, "text/plain", String.valueOf(e.getCause().getMessage()) + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(ex, 500, "text/plain", "interrupted\n");
        }
    }

    static String threadDump() {
        StringBuilder b = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            b.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState()).append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                b.append("    at ").append(e).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
