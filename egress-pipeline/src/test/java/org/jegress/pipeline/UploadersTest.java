package org.jegress.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.jegress.api.config.GcpConfig;
import org.jegress.api.config.StorageConfig;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage layer every provider shares: prefix, presign, backup, metrics, journal. */
class UploadersTest {

    @TempDir
    Path dir;

    private final List<String> observed = new ArrayList<>();
    private final AtomicInteger backupUsed = new AtomicInteger();
    private final UploadObserver observer = new UploadObserver() {
        @Override
        public void uploaded(String contentType, String status, boolean customEndpoint, long millis) {
            observed.add(contentType + " " + status + " " + customEndpoint);
        }

        @Override
        public void backupWritten(String contentType) {
            observed.add(contentType + " backup");
        }
    };

    static StorageTarget gcp(String bucket, String prefix, boolean presign) {
        return StorageTarget.of(new StorageConfig(prefix, presign, null, null, new GcpConfig("", bucket, null), null),
                Map.of());
    }

    /** A storage that records what it was given and fails while {@code failing > 0}. */
    static final class FakeStorage implements Uploader {
        final String name;
        final List<String> stored = new ArrayList<>();
        int failing;
        int status = 503;
        UploadJournal watch;
        List<UploadJournal.Entry> seenDuringUpload;

        FakeStorage(String name) {
            this.name = name;
        }

        @Override
        public Optional<Path> directPath(String objectPath) {
            return Optional.empty();
        }

        @Override
        public UploadResult upload(Path localFile, String objectPath, String contentType) throws IOException {
            if (watch != null) {
                seenDuringUpload = watch.entries();
            }
            if (failing > 0) {
                failing--;
                throw new UploadException("Service Unavailable (status " + status + ")", status, null);
            }
            stored.add(objectPath + " " + Files.readString(localFile));
            return new UploadResult("https://" + name + "/" + objectPath, Files.size(localFile));
        }

        @Override
        public String presign(String objectPath, Duration validity) {
            return "https://" + name + "/" + objectPath + "?expires=" + validity.toDays() + "d";
        }

        @Override
        public String provider() {
            return name;
        }
    }

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void prefixIsJoinedAsUpstreamDoes() {
        assertThat(Uploaders.join("", "a/b.mp4")).isEqualTo("a/b.mp4");
        assertThat(Uploaders.join("rec", "a/b.mp4")).isEqualTo("rec/a/b.mp4");
        assertThat(Uploaders.join("rec/", "a/b.mp4")).isEqualTo("rec/a/b.mp4");
        assertThat(Uploaders.join("rec/", "/abs/b.mp4")).isEqualTo("rec/abs/b.mp4");
    }

    @Test
    void storesWithPrefixAndPresignsWhenAsked() throws Exception {
        FakeStorage primary = new FakeStorage("primary");
        StorageTarget plain = gcp("b", "pre/", false);
        StorageTarget signed = gcp("b", "pre/", true);
        try (Uploaders u = new Uploaders("EG_t", t -> primary, null, null, observer, backupUsed::incrementAndGet)) {
            assertThat(u.of(plain).upload(file("x", "1"), "dir/x.mp4", "video/mp4").location())
                    .isEqualTo("https://primary/pre/dir/x.mp4");
            assertThat(u.of(signed).upload(file("y", "2"), "y.mp4", "video/mp4").location())
                    .isEqualTo("https://primary/pre/y.mp4?expires=7d");
            assertThat(u.of(plain).provider()).isEqualTo("GCP");
        }
        assertThat(primary.stored).containsExactly("pre/dir/x.mp4 1", "pre/y.mp4 2");
        assertThat(observed).containsExactly("video/mp4 success false", "video/mp4 success false");
    }

    @Test
    void aFailedUploadAndEveryLaterOneGoToBackup() throws Exception {
        FakeStorage primary = new FakeStorage("primary");
        FakeStorage backup = new FakeStorage("backup");
        primary.failing = 1;
        StorageTarget main = gcp("main", "", false);
        StorageTarget spare = gcp("spare", "bk/", false);
        try (Uploaders u = new Uploaders("EG_t", t -> t.equals(spare) ? backup : primary, spare, null, observer,
                backupUsed::incrementAndGet)) {
            assertThat(u.of(main).upload(file("a", "A"), "a.ts", "video/mp2t").location())
                    .isEqualTo("https://backup/bk/a.ts");
            assertThat(u.of(main).upload(file("b", "B"), "b.ts", "video/mp2t").location())
                    .isEqualTo("https://backup/bk/b.ts");
        }
        assertThat(primary.stored).isEmpty();
        assertThat(backup.stored).containsExactly("bk/a.ts A", "bk/b.ts B");
        assertThat(backupUsed).hasValue(2);
        assertThat(observed).containsExactly("video/mp2t 5xx false", "video/mp2t backup", "video/mp2t backup");
    }

    @Test
    void bothFailingIsReportedLikeUpstreamAndTheFileStays() throws Exception {
        FakeStorage primary = new FakeStorage("primary");
        FakeStorage backup = new FakeStorage("backup");
        primary.failing = 1;
        primary.status = 403;
        backup.failing = 1;
        StorageTarget main = gcp("main", "", false);
        StorageTarget spare = StorageTarget.of(new StorageConfig("", false, null,
                new org.jegress.api.config.AzureConfig("acc", "", "c"), null, null), Map.of());
        Path f = file("a", "A");
        try (Uploaders u = new Uploaders("EG_t", t -> t.equals(spare) ? backup : primary, spare, null, observer,
                backupUsed::incrementAndGet)) {
            assertThatThrownBy(() -> u.of(main).upload(f, "a.mp4", "video/mp4"))
                    .isInstanceOf(UploadException.class)
                    .hasMessage("primary: GCP upload failed: Service Unavailable (status 403)\n"
                            + "backup: Azure upload failed: Service Unavailable (status 503)");
        }
        assertThat(f).exists();
        assertThat(observed).containsExactly("video/mp4 4xx false");
    }

    @Test
    void withoutBackupTheProviderErrorIsTheMessage() throws Exception {
        FakeStorage primary = new FakeStorage("primary");
        primary.failing = 1;
        try (Uploaders u = new Uploaders("EG_t", t -> primary, null, null, observer, backupUsed::incrementAndGet)) {
            assertThatThrownBy(() -> u.of(gcp("b", "", false)).upload(file("a", "A"), "a.mp4", "video/mp4"))
                    .hasMessage("GCP upload failed: Service Unavailable (status 503)");
        }
    }

    @Test
    void theJournalHoldsAnUploadUntilItIsStored() throws Exception {
        FakeStorage primary = new FakeStorage("primary");
        StorageTarget main = gcp("main", "", false);
        UploadJournal journal = UploadJournal.create(dir.resolve("journal"), "EG_j", null);
        primary.watch = journal;
        Path rec = file("rec.mp4", "recording");
        try (Uploaders u = new Uploaders("EG_j", t -> primary, null, journal, observer, () -> { })) {
            assertThat(u.localPath(main, "out/rec.mp4", "video/mp4", rec)).isEqualTo(rec);
            assertThat(journal.entries()).singleElement().extracting(UploadJournal.Entry::state)
                    .isEqualTo(UploadJournal.State.RECORDING);
            assertThat(journal.unstoredFiles()).containsExactly(rec.toAbsolutePath());
            u.of(main).upload(rec, "out/rec.mp4", "video/mp4");
        }
        assertThat(primary.seenDuringUpload).singleElement().extracting(UploadJournal.Entry::state)
                .isEqualTo(UploadJournal.State.PENDING);
        assertThat(journal.entries()).isEmpty();
        journal.close();
        assertThat(dir.resolve("journal/EG_j.json")).doesNotExist();
    }

    @Test
    void aFailedUploadStaysInTheJournalWithItsError() throws Exception {
        FakeStorage primary = new FakeStorage("primary");
        primary.failing = 1;
        StorageTarget main = gcp("main", "", false);
        UploadJournal journal = UploadJournal.create(dir.resolve("journal"), "EG_k", null);
        Path seg = file("seg0.ts", "ts");
        try (Uploaders u = new Uploaders("EG_k", t -> primary, null, journal, observer, () -> { })) {
            assertThatThrownBy(() -> u.of(main).upload(seg, "hls/seg0.ts", "video/mp2t"));
        }
        assertThat(journal.entries()).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(UploadJournal.State.FAILED);
            assertThat(e.error()).startsWith("GCP upload failed");
            assertThat(e.objectPath()).isEqualTo("hls/seg0.ts");
        });
        journal.close();
        assertThat(dir.resolve("journal/EG_k.json")).exists();
    }
}
