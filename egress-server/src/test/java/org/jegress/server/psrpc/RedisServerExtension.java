package org.jegress.server.psrpc;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, throw-away {@code redis-server} for tests: loopback only, a free port, no persistence, its own temp
 * directory. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();}</pre>
 *
 * It starts before the class, is (re)started before each test if a test left it stopped, and is stopped after
 * the class. A missing binary (system property {@code redis.server}, default {@code /usr/bin/redis-server}) fails
 * the tests. {@link #command} talks RESP directly, independent of any client.
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final Path binary = Path.of(System.getProperty("redis.server", "/usr/bin/redis-server"));
    private Path dir;
    private int port;
    private Process process;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(binary)) {
            // Fail rather than skip: a skipped suite on CI would hide a missing install step.
            throw new IllegalStateException("redis-server not found at " + binary + " (scripts/setup test installs it)");
        }
        dir = Files.createTempDirectory("redis-test");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            port = s.getLocalPort();
        }
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!isRunning()) {
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The loopback port. Stays the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    /** True while the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server on {@link #port()} and returns once it answers PING. */
    public synchronized void start() throws IOException, InterruptedException {
        if (isRunning()) {
            return;
        }
        process = new ProcessBuilder(binary.toString(),
                "--save", "", "--appendonly", "no", "--bind", HOST, "--port", Integer.toString(port),
                "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("redis.log"));
                stop();
                throw new IOException("redis-server did not start on port " + port + ":\n" + log);
            }
            Thread.sleep(20); // polling a process we do not control; there is nothing to wait on
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s); data is gone. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
    }

    /** Stops and starts again on the same port: every client connection drops. */
    public void restart() throws IOException, InterruptedException {
        stop();
        start();
    }

    /**
     * Runs one command on a fresh connection and returns the reply: a String for simple/bulk strings, a Long
     * for integers, a List for arrays, null for nil.
     *
     * @throws IOException on connection problems or an error reply
     */
    public Object command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] b = arg.getBytes(StandardCharsets.UTF_8);
                sb.append('$').append(b.length).append("\r\n").append(arg).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** {@code PUBSUB NUMSUB <channel>}: how many connections are subscribed to the channel. */
    public long subscribers(String channel) {
        try {
            List<?> reply = (List<?>) command("PUBSUB", "NUMSUB", channel);
            return (Long) reply.get(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object readReply(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(len + 2);
                return new String(b, 0, len, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readReply(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type " + type);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            buf.write(c);
        }
        in.read(); // '\n'
        return buf.toString(StandardCharsets.UTF_8);
    }
}
