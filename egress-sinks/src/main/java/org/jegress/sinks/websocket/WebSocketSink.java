package org.jegress.sinks.websocket;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.plan.WebSocketPlan;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.gst.EosWatch;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw audio to a WebSocket, as the Go egress sends it: dialled with {@code Content-Type: audio/x-raw}; binary frames
 * of PCM (S16LE, 48 kHz, stereo, interleaved); text frames {@code {"muted":true}} / {@code {"muted":false}} when the
 * track is muted or unmuted; a ping (payload "ping") every 30 s; a Close frame at the end.
 *
 * <p>The pipeline writes the mix to a loopback TCP socket ({@code tcpclientsink}) that this sink accepts, so media
 * never crosses JNA; one reader thread forwards what arrives, at most {@value #CHUNK_MS} ms per frame and always whole
 * sample frames. EOS reaches the socket sink first; {@link #finish()} then drains the socket (closed when the
 * pipeline is released) and closes the WebSocket.
 */
final class WebSocketSink implements OutputSink {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketSink.class);

    /** Largest binary frame: 100 ms of 48 kHz stereo S16LE. */
    static final int CHUNK_MS = 100;
    private static final int BYTES_PER_FRAME = 4;
    private static final int CHUNK_BYTES = 48_000 * BYTES_PER_FRAME * CHUNK_MS / 1000;
    static final Duration PING_PERIOD = Duration.ofSeconds(30);
    private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    private final Bin bin;
    private final ServerSocket server;
    private final Object sendLock = new Object();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicLong bytesSent = new AtomicLong();
    private final ScheduledExecutorService pinger;
    private final HttpClient http;
    private volatile WebSocket ws;
    private volatile Socket socket;
    private volatile boolean closed;
    private Thread reader;
    /** EOS at the socket sink: everything was handed to the socket. Held for as long as the output lives. */
    private final EosWatch eos;

    WebSocketSink(WebSocketPlan plan) {
        GstRuntime.ensureInitialized();
        this.url = plan.url();
        try {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw EgressException.internal("websocket output: cannot open a local socket: " + e.getMessage(), e);
        }
        bin = Gst.parseBinFromDescription("queue name=ws_in max-size-buffers=0 max-size-bytes=0"
                + " max-size-time=2000000000 ! tcpclientsink name=socket sync=false async=false host=127.0.0.1 port="
                + server.getLocalPort(), false);
        bin.setName("websocket");
        bin.addPad(new GhostPad(MediaPads.RAW_AUDIO, bin.getElementByName("ws_in").getStaticPad("sink")));
        eos = EosWatch.on(bin.getElementByName("socket").getStaticPad("sink"));
        http = HttpClient.newBuilder().connectTimeout(DIAL_TIMEOUT).build();
        pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "websocket-ping");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Bin bin() {
        return bin;
    }

    @Override
    public Path localFile() {
        return null;
    }

    @Override
    public CompletableFuture<Void> finished() {
        return eos.eos();
    }

    /** Dials the server; a failure is the request's problem (invalid argument), as upstream. */
    @Override
    public void open() {
        try {
            ws = http.newWebSocketBuilder()
                    .header("Content-Type", WebSocketPlan.CONTENT_TYPE)
                    .connectTimeout(DIAL_TIMEOUT)
                    .buildAsync(URI.create(url), new Receiver())
                    .get(DIAL_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EgressException.internal("interrupted while dialling the websocket", e);
        } catch (ExecutionException | TimeoutException | IllegalArgumentException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new EgressException(ErrorCode.INVALID_ARGUMENT, "websocket dial " + url + " failed: "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
        }
        reader = new Thread(this::forward, "websocket-out");
        reader.setDaemon(true);
        reader.start();
        long every = PING_PERIOD.toMillis();
        pinger.scheduleAtFixedRate(this::ping, every, every, TimeUnit.MILLISECONDS);
    }

    /** Accepts the pipeline's connection and forwards what it writes, until the pipeline closes it. */
    private void forward() {
        try (ServerSocket s = server; Socket in = s.accept()) {
            socket = in;
            InputStream stream = in.getInputStream();
            byte[] buf = new byte[CHUNK_BYTES];
            int have = 0;
            while (!closed) {
                int n = stream.read(buf, have, buf.length - have);
                if (n < 0) {
                    break;
                }
                have += n;
                int whole = have - have % BYTES_PER_FRAME;
                if (whole > 0) {
                    sendBinary(ByteBuffer.wrap(buf, 0, whole).asReadOnlyBuffer());
                    System.arraycopy(buf, whole, buf, 0, have - whole);
                    have -= whole;
                }
            }
            drained.complete(null);
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.warn("websocket output {}: {}", url, e.toString());
            }
            drained.completeExceptionally(e);
        }
    }

    private void sendBinary(ByteBuffer data) throws IOException {
        int size = data.remaining();
        synchronized (sendLock) {
            await(ws.sendBinary(data, true));
        }
        bytesSent.addAndGet(size);
    }

    private void ping() {
        try {
            await(ws.sendPing(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))));
        } catch (IOException | RuntimeException e) {
            LOG.debug("websocket ping: {}", e.toString());
        }
    }

    @Override
    public void trackMuted(boolean muted) {
        WebSocket w = ws;
        if (w == null || closed) {
            return;
        }
        try {
            synchronized (sendLock) {
                await(w.sendText("{\"muted\":" + muted + "}", true));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("websocket output {}: mute message: {}", url, e.toString());
        }
    }

    private static void await(CompletableFuture<WebSocket> send) throws IOException {
        try {
            send.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("websocket send timed out", e);
        }
    }

    /** Forwards what is left in the socket (closed once the pipeline is released), then closes the WebSocket. */
    @Override
    public void finish() throws InterruptedException {
        try {
            drained.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("websocket output {}: not drained: {}", url, e.toString());
        }
        WebSocket w = ws;
        if (w != null && !w.isOutputClosed()) {
            try {
                synchronized (sendLock) {
                    w.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
                }
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("websocket close: {}", e.toString());
            }
        }
        LOG.info("websocket output {}: {} bytes sent", url, bytesSent.get());
    }

    /** Bytes of PCM delivered so far. */
    long bytesSent() {
        return bytesSent.get();
    }

    @Override
    public void close() {
        closed = true;
        pinger.shutdownNow();
        try {
            server.close();
            Socket s = socket;
            if (s != null) {
                s.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
    }

    /** Reads whatever the server sends (so pings are answered) and ignores it. */
    private static final class Receiver implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }
    }
}
