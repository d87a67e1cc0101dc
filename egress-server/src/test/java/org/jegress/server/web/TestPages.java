package org.jegress.server.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Pages served by the tests on loopback: the bundled demo page (moving picture, audible tone, signals on demand)
 * at {@code /demo/}, and a 404 everywhere else.
 */
public final class TestPages implements AutoCloseable {

    private final HttpServer server;
    private final byte[] demo;

    public TestPages() throws IOException {
        Path root = Path.of(System.getProperty("jegress.root", ".."));
        demo = Files.readAllBytes(root.resolve("templates/demo/index.html"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.start();
    }

    /** The demo page with a query string, e.g. {@code demo("tone=880&await=1")}. */
    public String demo(String query) {
        return base() + "demo/" + (query.isEmpty() ? "" : "?" + query);
    }

    public String missing() {
        return base() + "missing/page";
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void serve(HttpExchange ex) throws IOException {
        boolean found = ex.getRequestURI().getPath().equals("/demo/");
        byte[] body = found ? demo : "<html><body>nothing here</body></html>".getBytes();
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(found ? 200 : 404, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
