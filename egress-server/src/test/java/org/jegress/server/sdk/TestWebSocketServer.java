package org.jegress.server.sdk;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small WebSocket server (RFC 6455) on loopback that records what one client sends: the upgrade request's headers,
 * binary payload bytes, text messages, pings and the close frame. Answers pings and the closing handshake. Enough to
 * receive egress's raw-audio stream as a real server would.
 */
final class TestWebSocketServer implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final Thread thread;
    private final Map<String, String> headers = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final List<String> pings = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile int binaryFrames;
    private volatile Socket client;

    TestWebSocketServer() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "test-websocket");
        thread.setDaemon(true);
        thread.start();
    }

    String url() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/audio";
    }

    /** Lower-cased header name → value of the upgrade request. */
    Map<String, String> headers() {
        return headers;
    }

    synchronized byte[] binary() {
        return binary.toByteArray();
    }

    int binaryFrames() {
        return binaryFrames;
    }

    List<String> texts() {
        return texts;
    }

    List<String> pings() {
        return pings;
    }

    CompletableFuture<Void> connected() {
        return connected;
    }

    /** Completes with the close code the client sent (or -1 if the connection just dropped). */
    CompletableFuture<Integer> closed() {
        return closed;
    }

    private void serve() {
        try (Socket s = server.accept()) {
            client = s;
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            handshake(in, out);
            connected.complete(null);
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            int messageType = 0;
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0f;
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) {
                    in.readFully(mask);
                }
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
                switch (opcode) {
                    case 0x0:
                    case 0x1:
                    case 0x2:
                        if (opcode != 0) {
                            messageType = opcode;
                            message.reset();
                        }
                        message.write(payload);
                        if (fin) {
                            if (messageType == 1) {
                                texts.add(message.toString(StandardCharsets.UTF_8));
                            } else {
                                synchronized (this) {
                                    binary.write(message.toByteArray());
                                }
                                binaryFrames++;
                            }
                        }
                        break;
                    case 0x8:
                        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                        send(out, 0x8, payload);
                        closed.complete(code);
                        return;
                    case 0x9:
                        pings.add(new String(payload, StandardCharsets.UTF_8));
                        send(out, 0xA, payload);
                        break;
                    default:
                        break;
                }
            }
        } catch (EOFException e) {
            closed.complete(-1);
        } catch (IOException e) {
            closed.complete(-1);
        }
    }

    private void handshake(DataInputStream in, OutputStream out) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        String[] lines = head.toString().split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        String accept;
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(
                    (headers.get("sec-websocket-key") + GUID).getBytes(StandardCharsets.US_ASCII));
            accept = Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static synchronized void send(OutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        out.write(payload.length);
        out.write(payload);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket c = client;
        if (c != null) {
            c.close();
        }
    }
}
