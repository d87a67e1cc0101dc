package org.jegress.sources.room;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;

import org.jegress.sources.room.proto.SignalRequest;
import org.jegress.sources.room.proto.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LiveKit signalling WebSocket ({@code /rtc}, v0): binary frames, one protobuf per message, no length prefix.
 * Received messages are handed to the {@link Handler} as they complete; sends are serialised (the JDK WebSocket
 * allows one outstanding send). One instance per join attempt: a rejoin opens a new one.
 */
final class SignalClient {

    private static final Logger LOG = LoggerFactory.getLogger(SignalClient.class);

    /** Receives everything from the socket, on the JDK's WebSocket thread; implementations must only enqueue. */
    interface Handler {
        void onMessage(SignalClient source, SignalResponse message);

        /** The socket closed or failed (never called after {@link #close()}). */
        void onClosed(SignalClient source, int code, String reason, Throwable error);
    }

    private final HttpClient http;
    private final Handler handler;
    private volatile WebSocket socket;
    private volatile boolean closing;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);

    SignalClient(HttpClient http, Handler handler) {
        this.http = http;
        this.handler = handler;
    }

    /** Query parameters of the join URL for the chosen transceiver-reuse mitigation. */
    static Map<String, String> joinQuery(TransceiverReuseMitigation mitigation) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("protocol", mitigation == TransceiverReuseMitigation.PROTOCOL_3 ? "3" : "17");
        q.put("auto_subscribe", "0");
        q.put("adaptive_stream", "0");
        if (mitigation == TransceiverReuseMitigation.BROWSER_SAFARI) {
            q.put("browser", "safari");
        }
        return q;
    }

    /** {@code ws(s)://host/rtc?query} (or the {@code http(s)} form, for /rtc/validate) from a server base URL. */
    static URI endpoint(URI base, String path, Map<String, String> query, boolean websocket) {
        String scheme = base.getScheme() == null ? "ws" : base.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean secure = scheme.equals("wss") || scheme.equals("https");
        String s = websocket ? (secure ? "wss" : "ws") : (secure ? "https" : "http");
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        StringBuilder qs = new StringBuilder();
        for (Map.Entry<String, String> e : query.entrySet()) {
            qs.append(qs.length() == 0 ? "" : "&").append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return URI.create(s + "://" + base.getRawAuthority() + basePath + path + "?" + qs);
    }

    /**
     * Opens the socket. The server only upgrades after the session started, so an auth or validation problem fails
     * here; the failure message then carries the server's reason from {@code /rtc/validate}.
     */
    CompletableFuture<Void> connect(URI base, String token, TransceiverReuseMitigation mitigation, Duration timeout) {
        Map<String, String> query = joinQuery(mitigation);
        URI uri = endpoint(base, "/rtc", query, true);
        LOG.debug("signal connect {}", uri);
        return http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(timeout)
                .buildAsync(uri, new Listener())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ws, err) -> {
                    if (err != null) {
                        String why = validate(base, token, query, timeout);
                        throw new RoomConnectionException("cannot join " + uri.getHost() + ":" + uri.getPort()
                                + (why.isEmpty() ? "" : " (" + why + ")") + ": " + rootMessage(err), err);
                    }
                    socket = ws;
                    return null;
                });
    }

    /** The server's own words about a join it refused ({@code GET /rtc/validate}), or "" if unavailable. */
    private String validate(URI base, String token, Map<String, String> query, Duration timeout) {
        try {
            HttpRequest req = HttpRequest.newBuilder(endpoint(base, "/rtc/validate", query, false))
                    .header("Authorization", "Bearer " + token).timeout(timeout).GET().build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? "" : "HTTP " + r.statusCode() + " " + r.body().strip();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "";
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    /** Queues a message; sends never overlap. Failures are logged (a dead socket is noticed by the receive side). */
    synchronized CompletableFuture<?> send(SignalRequest request) {
        WebSocket ws = socket;
        if (ws == null || closing) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] bytes = request.toByteArray();
        sendChain = sendChain.handle((r, e) -> null)
                .thenCompose(ignored -> ws.sendBinary(ByteBuffer.wrap(bytes), true))
                .whenComplete((r, e) -> {
                    if (e != null && !closing) {
                        LOG.debug("signal send {} failed: {}", request.getMessageCase(), e.toString());
                    }
                });
        return sendChain;
    }

    /**
     * Sends {@code last} (typically a leave), then a normal close, and drops the socket after {@code grace}.
     * No handler callback follows.
     */
    void close(SignalRequest last, Duration grace) {
        WebSocket ws = socket;
        CompletableFuture<?> sent = last == null ? CompletableFuture.completedFuture(null) : send(last);
        closing = true;
        if (ws == null) {
            return;
        }
        try {
            sent.handle((r, e) -> null).get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        ws.abort();
    }

    /** Drops the socket at once, without a leave (the server notices through the TCP close). */
    void abort() {
        closing = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.write(chunk, 0, chunk.length);
            if (last) {
                byte[] all = partial.toByteArray();
                partial.reset();
                try {
                    SignalResponse msg = SignalResponse.parseFrom(all);
                    if (!closing) {
                        handler.onMessage(SignalClient.this, msg);
                    }
                } catch (InvalidProtocolBufferException e) {
                    LOG.warn("undecodable signal message ({} bytes): {}", all.length, e.getMessage());
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            // the JDK answers the ping itself; just keep reading
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!closing) {
                closing = true;
                handler.onClosed(SignalClient.this, statusCode, reason, null);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!closing) {
                closing = true;
                handler.onClosed(SignalClient.this, -1, String.valueOf(error.getMessage()), error);
            }
        }
    }

    /** A shared HTTP client for signalling; its threads are daemons and it needs no closing. */
    static HttpClient newHttpClient(Executor executor) {
        return HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(10)).build();
    }
}
