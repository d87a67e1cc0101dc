package org.jegress.testsuite.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that can be told to {@link #stall()}: it then stops reading from its clients (and
 * forwarding), so a sender's writes block once the socket buffers are full, as with a receiver that wedged without
 * closing the connection, until {@link #resume()}. Each connection is forwarded to the upstream port.
 */
public final class StallingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int upstream;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean stalled;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong forwarded = new java.util.concurrent.atomic.AtomicLong();

    public StallingProxy(int upstreamPort) throws IOException {
        this.upstream = upstreamPort;
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "stalling-proxy");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing is read from the clients. */
    public void stall() {
        stalled = true;
    }

    /** Forwards again. */
    public void resume() {
        stalled = false;
    }

    /** Bytes forwarded from clients to upstream so far. */
    public long forwarded() {
        return forwarded.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                client.setReceiveBufferSize(16 * 1024);
                Socket up = new Socket(InetAddress.getLoopbackAddress(), upstream);
                sockets.add(client);
                sockets.add(up);
                pump(client, up, true);
                pump(up, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean stallable) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (!closed) {
                    if (stallable && stalled) {
                        Thread.sleep(100);
                        continue;
                    }
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    if (stallable) {
                        forwarded.addAndGet(n);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // connection ended
            }
        }, "stalling-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
