package org.jegress.pipeline;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes what dead egresses left in their {@link UploadJournal}s: files whose upload was cut short, files an
 * outage kept from being stored, and the file of a recording that was killed (a crash-safe MP4 plays as it is).
 * Each is stored through the same storage layer as a live egress (prefix, presigned location, backup storage),
 * and the outcome of each entry is written to {@code <egress_id>.recovered.json}. A journal whose egress is still
 * alive (its process holds the journal's lock) is left alone; one that cannot be completed now (the storage is
 * still down) stays for the next recovery.
 */
public final class JournalRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

    /** What recovery did with one journal entry. */
    public record Outcome(String egressId, UploadJournal.Entry entry) {
    }

    private JournalRecovery() {
    }

    /** Recovers every journal in {@code options.journalDirectory()}. */
    public static List<Outcome> recoverAll(EgressOptions options) {
        return recoverAll(options, t -> Egress.uploaderFor(t, options));
    }

    /** As {@link #recoverAll(EgressOptions)}, with the provider uploaders given. */
    static List<Outcome> recoverAll(EgressOptions options, Function<StorageTarget, Uploader> storage) {
        Path dir = options.journalDirectory();
        List<Outcome> done = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return done;
        }
        try (DirectoryStream<Path> journals = Files.newDirectoryStream(dir, "EG_*.json")) {
            for (Path j : journals) {
                if (!j.getFileName().toString().endsWith(".recovered.json")) {
                    done.addAll(recover(j, options, storage));
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list upload journals in {}: {}", dir, e.toString());
        }
        return done;
    }

    /** Recovers the journal of one egress (its process has ended), if it left one. */
    public static List<Outcome> recover(String egressId, EgressOptions options) {
        Path j = options.journalDirectory().resolve(egressId + ".json");
        return Files.exists(j) ? recover(j, options, t -> Egress.uploaderFor(t, options)) : List.of();
    }

    private static List<Outcome> recover(Path file, EgressOptions options,
            Function<StorageTarget, Uploader> storage) {
        UploadJournal journal;
        try {
            journal = UploadJournal.reopen(file);
        } catch (IOException e) {
            LOG.warn("skipping upload journal {}: {}", file, e.getMessage());
            return List.of();
        }
        if (journal == null) {
            return List.of();
        }
        List<Outcome> outcomes = new ArrayList<>();
        AtomicBoolean backupUsed = new AtomicBoolean();
        try (Uploaders uploaders = new Uploaders(journal.egressId(), storage,
                journal.backup(), journal, options.uploadObserver(), () -> backupUsed.set(true))) {
            for (UploadJournal.Entry e : journal.entries()) {
                UploadJournal.Entry outcome = store(journal, uploaders, e, backupUsed);
                if (outcome != null) {
                    outcomes.add(new Outcome(journal.egressId(), outcome));
                }
            }
        } finally {
            journal.finishRecovery();
        }
        return outcomes;
    }

    private static UploadJournal.Entry store(UploadJournal journal, Uploaders uploaders, UploadJournal.Entry e,
            AtomicBoolean backupUsed) {
        if (e.state() != UploadJournal.State.RECORDING && e.state() != UploadJournal.State.PENDING
                && e.state() != UploadJournal.State.FAILED) {
            return null;
        }
        Path local = Path.of(e.localFile());
        String id = journal.egressId();
        if (!Files.isRegularFile(local)) {
            LOG.warn("{}: {} is gone, {} cannot be stored", id, local, e.objectPath());
            journal.outcome(e, UploadJournal.State.LOST, null, "local file gone");
            return entry(journal, e);
        }
        backupUsed.set(false);
        try {
            UploadResult r = uploaders.of(journal.storage(e.storage())).upload(local, e.objectPath(),
                    e.contentType());
            UploadJournal.State state = backupUsed.get() ? UploadJournal.State.BACKUP : UploadJournal.State.UPLOADED;
            journal.outcome(e, state, r.location(), null);
            Files.deleteIfExists(local);
            LOG.info("{}: recovered {} ({} bytes) to {}", id, e.objectPath(), r.size(), r.location());
        } catch (IOException ex) {
            LOG.warn("{}: {} still not stored, kept at {}: {}", id, e.objectPath(), local, ex.getMessage());
        }
        return entry(journal, e);
    }

    private static UploadJournal.Entry entry(UploadJournal journal, UploadJournal.Entry e) {
        return journal.entries().stream().filter(x -> x.storage().equals(e.storage())
                && x.objectPath().equals(e.objectPath())).findFirst().orElse(e);
    }
}
