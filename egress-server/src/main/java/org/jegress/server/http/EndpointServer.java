package org.jegress.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/** A JDK HTTP server answering every path with one handler, on a small daemon pool. */
final class EndpointServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    EndpointServer(InetSocketAddress address, String name, HttpHandler handler) {
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + address + " for " + name + ": " + e.getMessage(), e);
        }
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
    }

    /** The bound port (the ephemeral one when 0 was asked for). */
    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
