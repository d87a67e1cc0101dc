package org.jegress.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import org.jegress.api.config.S3Config;
import org.jegress.api.config.StorageConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.Uploader;
import org.jegress.testsuite.storage.S3Emulator;
import org.jegress.testsuite.storage.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** The S3 uploader against S3Proxy in this JVM (SigV4 and checksums checked), over real HTTP on loopback. */
class S3StorageTest {

    private static final String KEY = S3Emulator.ACCESS_KEY;
    private static final String SECRET = S3Emulator.SECRET;
    private static S3Emulator s3;
    private static String endpoint;

    @TempDir
    static Path emulatorDir;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Emulator.start(emulatorDir, "recordings");
        endpoint = s3.endpoint();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static StorageTarget target(String key, String secret, Map<String, String> metadata, String tagging,
            String disposition) {
        return StorageTarget.of(new StorageConfig("", false, new S3Config(key, secret, "", "", "", "us-east-1",
                endpoint, "recordings", true, null, 2, Duration.ofMillis(200), Duration.ofMillis(20), metadata,
                tagging, disposition), null, null, null), Map.of());
    }

    private Path file(String name, long size) throws IOException {
        return TestFiles.random(dir.resolve(name), size);
    }

    private static String sha(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void smallFileWithMetadataTaggingAndDisposition() throws Exception {
        Path f = file("small.mp4", 300_000);
        try (Uploader u = new S3Storage().create(target(KEY, SECRET, Map.of("room", "r1"), "team=a", ""), dir)) {
            var r = u.upload(f, "rec/small.mp4", "video/mp4");
            assertThat(r.location()).isEqualTo(endpoint + "/recordings/rec/small.mp4");
            assertThat(r.size()).isEqualTo(300_000);
        }
        assertThat(sha(s3.get("recordings", "rec/small.mp4"))).isEqualTo(sha(Files.readAllBytes(f)));
        HeadObjectResponse head = s3.head("recordings", "rec/small.mp4");
        assertThat(head.contentType()).isEqualTo("video/mp4");
        assertThat(head.contentDisposition()).isEqualTo("inline");
        assertThat(head.metadata()).containsEntry("room", "r1");
        assertThat(f).exists();
    }

    @Test
    void largeFileGoesInPartsStreamedFromDisk() throws Exception {
        Path f = file("large.mp4", 40L * 1024 * 1024 + 123);
        try (Uploader u = new S3Storage().create(target(KEY, SECRET, Map.of(), "", "attachment"), dir)) {
            u.upload(f, "large.mp4", "video/mp4");
        }
        byte[] back = s3.get("recordings", "large.mp4");
        assertThat(back).hasSize((int) Files.size(f));
        assertThat(sha(back)).isEqualTo(sha(Files.readAllBytes(f)));
        assertThat(s3.head("recordings", "large.mp4").eTag()).contains("-3");
    }

    @Test
    void presignedUrlReadsWithoutCredentials() throws Exception {
        Path f = file("p.txt", 1000);
        String url;
        try (Uploader u = new S3Storage().create(target(KEY, SECRET, Map.of(), "", ""), dir)) {
            u.upload(f, "p.txt", "text/plain");
            url = u.presign("p.txt", Duration.ofDays(7));
        }
        assertThat(url).startsWith(endpoint + "/recordings/p.txt?").contains("X-Amz-Expires=604800");
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(Files.readAllBytes(f));
    }

    @Test
    void wrongSecretIsTheProvidersForbidden() throws Exception {
        Path f = file("w.mp4", 1000);
        try (Uploader u = new S3Storage().create(target(KEY, "wrong", Map.of(), "", ""), dir)) {
            assertThatThrownBy(() -> u.upload(f, "w.mp4", "video/mp4")).isInstanceOfSatisfying(UploadException.class,
                    e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(UploadException.statusLabel(e)).isEqualTo("4xx");
                        assertThat(e.getMessage()).contains("403");
                    });
        }
        assertThat(f).exists();
    }

    @Test
    void unreachableStorageIsRetriedThenReported() throws Exception {
        Path f = file("x.mp4", 1000);
        int closed = org.jegress.storage.s3.S3StorageTest.freePort();
        StorageTarget t = StorageTarget.of(new StorageConfig("", false, new S3Config(KEY, SECRET, "", "", "",
                "us-east-1", "http://127.0.0.1:" + closed, "recordings", true, null, 3, Duration.ofMillis(100),
                Duration.ofMillis(10), Map.of(), "", ""), null, null, null), Map.of());
        long t0 = System.nanoTime();
        try (Uploader u = new S3Storage().create(t, dir)) {
            assertThatThrownBy(() -> u.upload(f, "x.mp4", "video/mp4")).isInstanceOfSatisfying(UploadException.class,
                    e -> assertThat(UploadException.statusLabel(e)).isEqualTo("internal"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void badSettingsAreRefusedBeforeStart() {
        S3Storage s3 = new S3Storage();
        StorageTarget unknownRegion = StorageTarget.of(new StorageConfig("", false, new S3Config("", "", "", "", "",
                "moon-central-1", "", "b", false, null, 0, Duration.ZERO, Duration.ZERO, Map.of(), "", ""),
                null, null, null), Map.of());
        assertThatThrownBy(() -> s3.validate(unknownRegion)).isInstanceOf(EgressException.class)
                .hasMessage("request has missing or invalid field: region");
        StorageTarget badProxy = StorageTarget.of(new StorageConfig("", false, new S3Config("", "", "", "", "",
                "eu-west-1", "", "b", false, new org.jegress.api.config.ProxyConfig("not a url", "", ""), 0,
                Duration.ZERO, Duration.ZERO, Map.of(), "", ""), null, null, null), Map.of());
        assertThatThrownBy(() -> s3.validate(badProxy)).hasMessage("request has missing or invalid field: proxy");
        s3.validate(target(KEY, SECRET, Map.of(), "", ""));
    }

    @Test
    void locationsHaveUpstreamsForm() {
        S3Config aws = new S3Config("", "", "", "", "", "eu-west-1", "", "bkt", false, null, 0, Duration.ZERO,
                Duration.ZERO, Map.of(), "", "");
        assertThat(new S3Uploader(aws, null, null).location("a/b.mp4")).isEqualTo("https://bkt.s3.amazonaws.com/a/b.mp4");
        S3Config spaces = new S3Config("", "", "", "", "", "", "nyc3.digitaloceanspaces.com", "bkt", false, null, 0,
                Duration.ZERO, Duration.ZERO, Map.of(), "", "");
        assertThat(new S3Uploader(spaces, null, null).location("x"))
                .isEqualTo("https://bkt.nyc3.digitaloceanspaces.com/x");
        S3Config minio = new S3Config("", "", "", "", "", "", "minio:9000", "bkt", true, null, 0, Duration.ZERO,
                Duration.ZERO, Map.of(), "", "");
        assertThat(new S3Uploader(minio, null, null).location("x")).isEqualTo("https://minio:9000/bkt/x");
        assertThat(S3Uploader.partSize(100L << 30)).isGreaterThanOrEqualTo((100L << 30) / 10_000);
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
