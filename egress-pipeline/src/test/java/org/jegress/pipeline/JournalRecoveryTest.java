package org.jegress.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.jegress.api.config.S3Config;
import org.jegress.api.config.StorageConfig;
import org.jegress.api.plan.StorageTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal left by a dead egress is finished by the next recovery; a live one is left alone. */
class JournalRecoveryTest {

    @TempDir
    Path dir;

    private static StorageTarget s3(String secret) {
        return StorageTarget.of(new StorageConfig("pre", false, new S3Config("AK", secret, "", "", "", "us-east-1",
                "http://127.0.0.1:9", "bucket", true, null, 5, java.time.Duration.ofSeconds(5),
                java.time.Duration.ofMillis(100), Map.of("k", "v"), "", ""), null, null, null), Map.of());
    }

    private EgressOptions options() {
        return EgressOptions.defaults().withWorkRoot(dir.resolve("work"));
    }

    @Test
    void finishesWhatADeadEgressLeftAndSaysWhatHappened() throws Exception {
        StorageTarget target = s3("SECRET");
        Path rec = Files.writeString(Files.createDirectories(dir.resolve("work/EG_dead")).resolve("r.mp4"), "mp4");
        Path gone = dir.resolve("work/EG_dead/gone.ts");
        // what a killed handler leaves: the journal is written, the lock dies with the process
        UploadJournal j = UploadJournal.create(options().journalDirectory(), "EG_dead", null);
        j.recording(target, rec, "r.mp4", "video/mp4");
        j.pending(target, gone, "hls/gone.ts", "video/mp2t");
        assertThat(Files.readString(j.file())).contains("SECRET");
        assertThat(Files.getPosixFilePermissions(j.file())).hasSize(2);
        // while the egress lives, recovery leaves it alone
        UploadersTest.FakeStorage storage = new UploadersTest.FakeStorage("s3");
        assertThat(JournalRecovery.recoverAll(options(), t -> storage)).isEmpty();
        releaseWithoutCleanup(j);

        List<JournalRecovery.Outcome> outcomes = JournalRecovery.recoverAll(options(), t -> {
            assertThat(t).isEqualTo(target);
            return storage;
        });

        assertThat(storage.stored).containsExactly("pre/r.mp4 mp4");
        assertThat(outcomes).extracting(o -> o.entry().objectPath() + " " + o.entry().state())
                .containsExactly("r.mp4 UPLOADED", "hls/gone.ts LOST");
        assertThat(outcomes.get(0).entry().location()).isEqualTo("https://s3/pre/r.mp4");
        assertThat(rec).doesNotExist();
        assertThat(dir.resolve("work/upload-journal/EG_dead.json")).doesNotExist();
        assertThat(Files.readString(dir.resolve("work/upload-journal/EG_dead.recovered.json")))
                .contains("\"state\" : \"uploaded\"", "\"state\" : \"lost\"");
        // nothing left to do the next time
        assertThat(JournalRecovery.recoverAll(options(), t -> storage)).isEmpty();
    }

    @Test
    void aStorageStillDownKeepsTheJournalForNextTime() throws Exception {
        StorageTarget target = s3("S");
        Path rec = Files.writeString(Files.createDirectories(dir.resolve("work/EG_down")).resolve("r.mp4"), "mp4");
        UploadJournal j = UploadJournal.create(options().journalDirectory(), "EG_down", null);
        j.recording(target, rec, "r.mp4", "video/mp4");
        releaseWithoutCleanup(j);
        UploadersTest.FakeStorage storage = new UploadersTest.FakeStorage("s3");
        storage.failing = 1;

        JournalRecovery.recoverAll(options(), t -> storage);

        assertThat(rec).exists();
        assertThat(dir.resolve("work/upload-journal/EG_down.json")).exists();
        JournalRecovery.recoverAll(options(), t -> storage);
        assertThat(storage.stored).containsExactly("pre/r.mp4 mp4");
        assertThat(dir.resolve("work/upload-journal/EG_down.recovered.json")).exists();
    }

    /** What process death does: the lock goes, the journal stays. */
    private static void releaseWithoutCleanup(UploadJournal j) throws Exception {
        var lock = UploadJournal.class.getDeclaredField("lock");
        lock.setAccessible(true);
        ((java.nio.channels.FileLock) lock.get(j)).release();
    }
}
