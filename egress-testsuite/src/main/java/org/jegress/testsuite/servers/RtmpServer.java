package org.jegress.testsuite.servers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * nginx with libnginx-mod-rtmp as an RTMP receiver on loopback, from a private prefix: application {@code live}
 * records every stream it gets to {@code rec/<key>-<time>.flv}. Optionally asks an HTTP hook before accepting a
 * publish ({@code on_publish}; a non-2xx answer rejects it), and drops publishers on request (the control module).
 */
public final class RtmpServer implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;
    private final int httpPort;

    private RtmpServer(Process process, Path dir, int port, int httpPort) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.httpPort = httpPort;
    }

    public static RtmpServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, null);
    }

    /**
     * @param onPublish URL nginx asks before accepting a publish, or null to accept every one
     */
    public static RtmpServer start(Path dir, String onPublish) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("logs"));
        Path rec = Files.createDirectories(dir.resolve("rec"));
        // nginx's workers may run as nobody: the recordings directory must be theirs to write
        Files.setPosixFilePermissions(rec, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = Ports.freeTcp();
        int httpPort = Ports.freeTcp();
        String conf = String.join("\n",
                "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;",
                "daemon off;",
                "master_process off;",
                "error_log " + dir.resolve("logs/error.log") + " info;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "events { worker_connections 256; }",
                "rtmp { server { listen 127.0.0.1:" + port + "; application live { live on; record all;",
                "  record_path " + rec + "; record_unique on;"
                        + (onPublish == null ? "" : " on_publish " + onPublish + ";") + " } } }",
                "http { access_log off; client_body_temp_path " + dir.resolve("tmp") + ";",
                "  server { listen 127.0.0.1:" + httpPort + "; location /control { rtmp_control all; }",
                "  location /stat { rtmp_stat all; } } }",
                "");
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        Process p = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", confFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
        try {
            Ports.awaitListening(port, Duration.ofSeconds(10));
        } catch (RuntimeException | InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        return new RtmpServer(p, dir, port, httpPort);
    }

    public int port() {
        return port;
    }

    /** {@code rtmp://127.0.0.1:<port>/live/<key>}. */
    public String url(String key) {
        return "rtmp://127.0.0.1:" + port + "/live/" + key;
    }

    /** The recordings of a stream key, oldest first. */
    public List<Path> recordings(String key) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("rec"))) {
            return files.filter(f -> f.getFileName().toString().startsWith(key + "-"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    /** Drops the publisher of a stream key (its connection is closed by the server). */
    public void dropPublisher(String key) throws IOException, InterruptedException {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/control/drop/publisher?app=live&name=" + key)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
