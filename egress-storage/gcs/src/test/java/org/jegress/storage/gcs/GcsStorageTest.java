package org.jegress.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.jegress.api.config.GcpConfig;
import org.jegress.api.config.StorageConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.Uploader;
import org.jegress.testsuite.storage.FakeGcs;
import org.jegress.testsuite.storage.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GCS uploader against fake-gcs-server (started by the test) over the JSON API on loopback. */
class GcsStorageTest {

    @TempDir
    static Path shared;
    private static FakeGcs gcs;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        gcs = FakeGcs.start(shared.resolve("fake-gcs.log"), "recordings");
    }

    @AfterAll
    static void stop() throws Exception {
        gcs.close();
    }

    private static StorageTarget target(String bucket) {
        return StorageTarget.of(new StorageConfig("", false, null, null, new GcpConfig("", bucket, null), null),
                Map.of("gcp", gcs.endpoint()));
    }

    private Path file(String name, long size) throws IOException {
        return TestFiles.random(dir.resolve(name), size);
    }

    @Test
    void resumableUploadInChunks() throws Exception {
        Path f = file("big.mp4", 40L * 1024 * 1024 + 11);
        try (Uploader u = new GcsStorage().create(target("recordings"), dir)) {
            var r = u.upload(f, "rooms/big.mp4", "video/mp4");
            assertThat(r.location()).isEqualTo(gcs.endpoint() + "/recordings/rooms/big.mp4");
            assertThat(r.size()).isEqualTo(Files.size(f));
        }
        assertThat(gcs.get("recordings", "rooms/big.mp4")).isEqualTo(Files.readAllBytes(f));
    }

    @Test
    void missingBucketIsTheProviders404() throws Exception {
        Path f = file("x.mp4", 1000);
        try (Uploader u = new GcsStorage().create(target("no-such-bucket"), dir)) {
            assertThatThrownBy(() -> u.upload(f, "x.mp4", "video/mp4")).isInstanceOfSatisfying(UploadException.class,
                    e -> assertThat(UploadException.statusLabel(e)).isEqualTo("4xx"));
        }
        assertThat(f).exists();
    }

    @Test
    void malformedCredentialsAreRefusedBeforeStart() {
        StorageTarget bad = StorageTarget.of(new StorageConfig("", false, null, null,
                new GcpConfig("{not json", "b", null), null), Map.of());
        assertThatThrownBy(() -> new GcsStorage().validate(bad)).isInstanceOf(EgressException.class)
                .hasMessage("request has missing or invalid field: credentials");
        StorageTarget notAKey = StorageTarget.of(new StorageConfig("", false, null, null,
                new GcpConfig("{\"type\": \"service_account\"}", "b", null), null), Map.of());
        assertThatThrownBy(() -> new GcsStorage().validate(notAKey))
                .hasMessage("request has missing or invalid field: credentials");
        assertThat(new GcsUploader(null, "bkt", "").location("a/b.mp4"))
                .isEqualTo("https://bkt.storage.googleapis.com/a/b.mp4");
    }
}
