package org.jegress.testsuite.storage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jegress.testsuite.servers.Ports;

/**
 * fake-gcs-server ({@code go install github.com/fsouza/fake-gcs-server}, by {@code scripts/setup test}) as a child
 * process on a loopback port, in memory: the GCS JSON API with multipart and resumable uploads.
 */
public final class FakeGcs implements AutoCloseable {

    private final int port;
    private final Path log;
    private Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private FakeGcs(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** Starts the server with the given buckets; its output goes to {@code log}. */
    public static FakeGcs start(Path log, String... buckets) throws IOException, InterruptedException {
        FakeGcs g = new FakeGcs(Ports.freeTcp(), log);
        g.launch();
        for (String b : buckets) {
            g.createBucket(b);
        }
        return g;
    }

    private void launch() throws IOException, InterruptedException {
        String host = "127.0.0.1:" + port;
        process = new ProcessBuilder(Tools.goBin("fake-gcs-server").toString(), "-scheme", "http", "-host",
                "127.0.0.1", "-port", String.valueOf(port), "-backend", "memory", "-public-host", host,
                "-external-url", "http://" + host, "-log-level", "warn")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Ports.awaitListening(port, Duration.ofSeconds(20));
    }

    /** The JSON API root, for {@code storage_endpoints.gcp}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public void createBucket(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint()
                + "/storage/v1/b?project=egress")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("cannot create bucket " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** An object's content. */
    public byte[] get(String bucket, String object) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/download/storage/v1/b/"
                + bucket + "/o/" + java.net.URLEncoder.encode(object, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20") + "?alt=media")).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("no object " + bucket + "/" + object + ": " + r.statusCode());
        }
        return r.body();
    }

    public void outage() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
