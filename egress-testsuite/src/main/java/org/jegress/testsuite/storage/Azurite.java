package org.jegress.testsuite.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jegress.testsuite.servers.Ports;

/**
 * Azurite's blob service (npm {@code azurite}, installed by {@code scripts/setup test}) as a child process on a
 * loopback port, in memory, with the public development account. Stopping and starting it again on the same port
 * plays an outage (the blobs do not survive it).
 */
public final class Azurite implements AutoCloseable {

    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final Pattern LISTENING = Pattern.compile("listens on (http://\\S+)");

    private final int port;
    private Process process;

    private Azurite(int port) {
        this.port = port;
    }

    public static Azurite start() throws IOException, InterruptedException {
        Azurite a = new Azurite(Ports.freeTcp());
        a.launch();
        return a;
    }

    private void launch() throws IOException, InterruptedException {
        // the SDK speaks a newer service version than Azurite knows; the blob API used here is the same
        process = new ProcessBuilder(Tools.nodeBin("azurite-blob").toString(), "--blobHost", "127.0.0.1",
                "--blobPort", String.valueOf(port), "--inMemoryPersistence", "--disableTelemetry",
                "--skipApiVersionCheck", "--loose").redirectErrorStream(true).start();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new IOException("azurite exited"));
        }, "azurite-out");
        reader.setDaemon(true);
        reader.start();
        try {
            url.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("Azurite did not start: " + e.getMessage(), e);
        }
        Ports.awaitListening(port, Duration.ofSeconds(10));
    }

    /** The account's blob endpoint, for {@code storage_endpoints.azure}. */
    public String accountEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY + ";BlobEndpoint="
                + accountEndpoint() + ";";
    }

    /** Creates a container, signed with the account key (Shared Key, as the SDKs sign). */
    public void createContainer(String name) throws IOException, InterruptedException {
        var r = send("PUT", "/" + name, "restype=container", "\nrestype:container",
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IOException("cannot create container " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    /** A blob's content. */
    public byte[] get(String container, String blob) throws IOException, InterruptedException {
        var r = send("GET", "/" + container + "/" + blob, null, "",
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("no blob " + container + "/" + blob + ": " + r.statusCode());
        }
        return r.body();
    }

    private <T> java.net.http.HttpResponse<T> send(String method, String path, String query, String canonicalQuery,
            java.net.http.HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        String version = "2021-08-06";
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        // VERB, then 11 standard headers (all empty here), then the x-ms- headers, then the resource
        String toSign = method + "\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + date + "\nx-ms-version:" + version
                + "\n/" + ACCOUNT + "/" + ACCOUNT + path + canonicalQuery;
        String signature;
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(KEY), "HmacSHA256"));
            signature = java.util.Base64.getEncoder().encodeToString(mac.doFinal(
                    toSign.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(accountEndpoint() + path + (query == null ? "" : "?" + query)))
                .header("x-ms-date", date).header("x-ms-version", version)
                .header("Authorization", "SharedKey " + ACCOUNT + ":" + signature)
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(), body);
    }

    public void outage() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public void resume() throws IOException, InterruptedException {
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
