package org.jegress.sources.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP server on loopback for the pages bundled under {@code templates/} on the classpath. Directory URLs
 * serve their {@code index.html}; anything else is 404.
 */
public final class TemplateServer implements AutoCloseable {

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png");

    private final HttpServer server;

    private TemplateServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on 127.0.0.1 at {@code port} (0 = any free port). */
    public static TemplateServer start(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        s.createContext("/", TemplateServer::serve);
        s.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "template-server");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return new TemplateServer(s);
    }

    /** Base URL, e.g. {@code http://127.0.0.1:7980/}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private static void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.contains("..")) {
            send(ex, 404, "text/plain", "not found".getBytes());
            return;
        }
        if (path.endsWith("/")) {
            path = path + "index.html";
        }
        try (InputStream in = TemplateServer.class.getResourceAsStream("/templates" + path)) {
            if (in == null) {
                send(ex, 404, "text/plain", "not found".getBytes());
                return;
            }
            String ext = path.substring(path.lastIndexOf('.') + 1);
            send(ex, 200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
