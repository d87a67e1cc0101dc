package org.jegress.storage.oss;

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

import org.jegress.api.config.AliOssConfig;
import org.jegress.api.config.StorageConfig;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.Uploader;
import org.jegress.testsuite.storage.FakeOss;
import org.jegress.testsuite.storage.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OSS uploader against the strict fake: V1 signatures, Content-MD5 and CRC-64 checked on every request. */
class OssStorageTest {

    private static FakeOss oss;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        oss = FakeOss.start("recordings");
    }

    @AfterAll
    static void stop() {
        oss.close();
    }

    private static StorageTarget target(String secret) {
        return StorageTarget.of(new StorageConfig("", false, null, null, null, new AliOssConfig(FakeOss.ACCESS_KEY,
                secret, "", oss.endpoint(), "recordings")), Map.of());
    }

    private Path file(String name, long size) throws IOException {
        return TestFiles.random(dir.resolve(name), size);
    }

    @Test
    void smallAndMultipartUploads() throws Exception {
        Path small = file("small.mp4", 200_000);
        Path big = file("big.mp4", 35L * 1024 * 1024 + 3);
        try (Uploader u = new OssStorage().create(target(FakeOss.SECRET), dir)) {
            assertThat(u.upload(small, "rooms/small.mp4", "video/mp4").location())
                    .isEqualTo(oss.endpoint() + "/recordings/rooms/small.mp4");
            u.upload(big, "rooms/big.mp4", "video/mp4");
        }
        assertThat(oss.object("recordings", "rooms/small.mp4")).isEqualTo(Files.readAllBytes(small));
        assertThat(oss.object("recordings", "rooms/big.mp4")).isEqualTo(Files.readAllBytes(big));
    }

    @Test
    void signedUrlReadsWithoutCredentials() throws Exception {
        Path f = file("s.txt", 1000);
        String url;
        try (Uploader u = new OssStorage().create(target(FakeOss.SECRET), dir)) {
            u.upload(f, "s.txt", "text/plain");
            url = u.presign("s.txt", Duration.ofDays(7));
        }
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(got.statusCode()).as(new String(got.body())).isEqualTo(200);
        assertThat(got.body()).isEqualTo(Files.readAllBytes(f));
    }

    @Test
    void wrongSecretIsRefused() throws Exception {
        Path f = file("w.mp4", 1000);
        try (Uploader u = new OssStorage().create(target("wrong"), dir)) {
            assertThatThrownBy(() -> u.upload(f, "w.mp4", "video/mp4")).isInstanceOfSatisfying(UploadException.class,
                    e -> {
                        assertThat(e.getMessage()).startsWith("SignatureDoesNotMatch");
                        assertThat(UploadException.statusLabel(e)).isEqualTo("4xx");
                    });
        }
        assertThat(f).exists();
    }

    @Test
    void locationsHaveUpstreamsForm() {
        assertThat(new OssUploader(null, "bkt", "oss-cn-hangzhou.aliyuncs.com").location("a/b.mp4"))
                .isEqualTo("https://bkt.oss-cn-hangzhou.aliyuncs.com/a/b.mp4");
        assertThat(FakeOss.crc64("123456789".getBytes())).isEqualTo(0x995DC9BBDF1939FAL);
    }
}
