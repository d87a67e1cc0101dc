package org.jegress.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import org.jegress.api.config.AzureConfig;
import org.jegress.api.config.StorageConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.Uploader;
import org.jegress.testsuite.storage.Azurite;
import org.jegress.testsuite.storage.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Azure uploader against Azurite (started by the test), shared-key signed, over real HTTP on loopback. */
class AzureStorageTest {

    private static Azurite azurite;
    private static BlobContainerClient reader;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        azurite = Azurite.start();
        azurite.createContainer("recordings");
        reader = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient("recordings");
    }

    @AfterAll
    static void stop() throws Exception {
        azurite.close();
    }

    private static StorageTarget target(String key) {
        return StorageTarget.of(new StorageConfig("", false, null, new AzureConfig(Azurite.ACCOUNT, key,
                "recordings"), null, null), Map.of("azure", "http://127.0.0.1:" + URI.create(azurite
                .accountEndpoint()).getPort() + "/{account}"));
    }

    private Path file(String name, long size) throws IOException {
        return TestFiles.random(dir.resolve(name), size);
    }

    @Test
    void uploadsInBlocksAndReportsTheBlobUrl() throws Exception {
        Path f = file("big.mp4", 9L * 1024 * 1024 + 7);
        try (Uploader u = new AzureStorage().create(target(Azurite.KEY), dir)) {
            var r = u.upload(f, "rooms/big.mp4", "video/mp4");
            assertThat(r.location()).isEqualTo(azurite.accountEndpoint() + "/recordings/rooms/big.mp4");
        }
        var blob = reader.getBlobClient("rooms/big.mp4");
        assertThat(blob.downloadContent().toBytes()).isEqualTo(Files.readAllBytes(f));
        assertThat(blob.getProperties().getContentType()).isEqualTo("video/mp4");
    }

    @Test
    void sasUrlReadsWithoutCredentials() throws Exception {
        Path f = file("s.txt", 1000);
        String url;
        try (Uploader u = new AzureStorage().create(target(Azurite.KEY), dir)) {
            u.upload(f, "s.txt", "text/plain");
            url = u.presign("s.txt", Duration.ofDays(7));
        }
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(Files.readAllBytes(f));
    }

    @Test
    void wrongKeyIsTheProvidersForbidden() throws Exception {
        Path f = file("w.mp4", 1000);
        String wrong = java.util.Base64.getEncoder().encodeToString("not the key".getBytes());
        try (Uploader u = new AzureStorage().create(target(wrong), dir)) {
            assertThatThrownBy(() -> u.upload(f, "w.mp4", "video/mp4")).isInstanceOfSatisfying(UploadException.class,
                    e -> assertThat(e.status()).isEqualTo(403));
        }
        assertThat(f).exists();
    }

    @Test
    void badKeysAreRefusedBeforeStart() {
        assertThatThrownBy(() -> new AzureStorage().validate(target("not base64 !")))
                .isInstanceOf(EgressException.class).hasMessage("request has missing or invalid field: account_key");
        new AzureStorage().validate(target(Azurite.KEY));
        assertThat(AzureStorage.endpoint("", "acct")).isEqualTo("https://acct.blob.core.windows.net");
    }
}
