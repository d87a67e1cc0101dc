package org.jegress.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jegress.api.error.EgressException;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one egress stores its files, whatever storage each output names (v2 outputs may each name their own). The
 * provider uploaders only transfer; everything upstream does around them happens here, once for every provider:
 * the storage prefix is joined, the location presigned ({@code generate_presigned_url}, 7 days), the upload
 * counted for the metrics, and a failed upload retried on the backup storage, which then takes that object and
 * every later one of the egress ({@code backup_storage_used}). Each upload is in the {@link UploadJournal} from
 * the moment it starts until it is stored, so a crash in between loses nothing.
 */
final class Uploaders implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Uploaders.class);
    static final Duration PRESIGNED_VALIDITY = Duration.ofDays(7);

    private final String egressId;
    private final Function<StorageTarget, Uploader> factory;
    private final StorageTarget backup;
    private final UploadJournal journal;
    private final UploadObserver observer;
    private final Runnable backupUsed;
    private final Map<StorageTarget, Uploader> transfers = new LinkedHashMap<>();
    private final Map<StorageTarget, Store> stores = new LinkedHashMap<>();
    /** Set by the first failed upload when there is a backup: from then on everything goes there (upstream). */
    private volatile boolean primaryFailed;

    /**
     * @param factory the provider uploader for a target
     * @param backup the backup storage, or null
     * @param journal where uploads are recorded until stored, or null for none
     * @param backupUsed told when an object went to the backup storage
     */
    Uploaders(String egressId, Function<StorageTarget, Uploader> factory, StorageTarget backup,
            UploadJournal journal, UploadObserver observer, Runnable backupUsed) {
        this.egressId = egressId;
        this.factory = factory;
        this.backup = backup;
        this.journal = journal;
        this.observer = observer;
        this.backupUsed = backupUsed;
    }

    /** The store of one target: an {@link Uploader} whose object paths are those of the plan (no prefix yet). */
    synchronized Uploader of(StorageTarget target) {
        return stores.computeIfAbsent(target, Store::new);
    }

    private synchronized Uploader transfer(StorageTarget target) {
        return transfers.computeIfAbsent(target, factory);
    }

    UploadJournal journal() {
        return journal;
    }

    /**
     * Where an output stored under {@code storagePath} is written: in place when the storage is local disk (a crash
     * then leaves it at its final path), else under the egress's work directory, recorded in the journal so that a
     * crash mid-recording still gets the file stored.
     */
    Path localPath(StorageTarget target, String storagePath, String contentType, Path workFallback) {
        Optional<Path> direct = of(target).directPath(storagePath);
        if (direct.isPresent()) {
            return direct.get();
        }
        if (journal != null) {
            journal.recording(target, workFallback, storagePath, contentType);
        }
        return workFallback;
    }

    /** Joins the storage prefix as upstream does ({@code path.Join}). */
    static String join(String prefix, String path) {
        if (prefix == null || prefix.isEmpty()) {
            return path;
        }
        String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String rest = path.startsWith("/") ? path.substring(1) : path;
        return rest.isEmpty() ? p : p + "/" + rest;
    }

    @Override
    public synchronized void close() {
        transfers.values().forEach(u -> {
            try {
                u.close();
            } catch (RuntimeException e) {
                LOG.debug("{}: closing {} uploader: {}", egressId, u.provider(), e.toString());
            }
        });
        transfers.clear();
        stores.clear();
    }

    /** The storage layer in front of one target's provider uploader. */
    private final class Store implements Uploader {

        private final StorageTarget target;

        Store(StorageTarget target) {
            this.target = target;
        }

        @Override
        public Optional<Path> directPath(String storagePath) {
            return target.isLocal() ? transfer(target).directPath(join(target.prefix(), storagePath))
                    : Optional.empty();
        }

        @Override
        public String provider() {
            return target.provider().label();
        }

        @Override
        public UploadResult upload(Path local, String storagePath, String contentType) throws IOException {
            boolean journaled = journal != null && !target.isLocal();
            if (journaled) {
                journal.pending(target, local, storagePath, contentType);
            }
            String primaryError = null;
            if (!primaryFailed || backup == null) {
                long t0 = System.nanoTime();
                try {
                    UploadResult r = store(target, local, storagePath, contentType);
                    observer.uploaded(contentType, "success", target.customEndpoint(), ms(t0));
                    if (journaled) {
                        journal.stored(target, storagePath);
                    }
                    return r;
                } catch (IOException e) {
                    observer.uploaded(contentType, UploadException.statusLabel(e), target.customEndpoint(), ms(t0));
                    primaryError = EgressException.uploadFailedMessage(target.provider().label(), e);
                    LOG.warn("{}: {}", egressId, primaryError);
                    if (backup == null) {
                        fail(journaled, local, storagePath, contentType, primaryError);
                        throw new UploadException(primaryError, status(e), e);
                    }
                    primaryFailed = true;
                }
            }
            try {
                UploadResult r = store(backup, local, storagePath, contentType);
                backupUsed.run();
                observer.backupWritten(contentType);
                if (journaled) {
                    journal.stored(target, storagePath);
                }
                return r;
            } catch (IOException e) {
                String backupError = EgressException.uploadFailedMessage(backup.provider().label(), e);
                String message = primaryError == null ? backupError
                        : "primary: " + primaryError + "\nbackup: " + backupError;
                fail(journaled, local, storagePath, contentType, message);
                throw new UploadException(message, status(e), e);
            }
        }

        private void fail(boolean journaled, Path local, String storagePath, String contentType, String error) {
            if (journaled) {
                journal.failed(target, local, storagePath, contentType, error);
            }
        }

        /** One transfer: prefix joined, location presigned when asked. */
        private UploadResult store(StorageTarget to, Path local, String storagePath, String contentType)
                throws IOException {
            Uploader u;
            try {
                u = transfer(to);
            } catch (RuntimeException e) {
                // no uploader for the target on the class path, or settings its SDK refuses
                throw new UploadException(e.getMessage(), 0, e);
            }
            String objectPath = join(to.prefix(), storagePath);
            UploadResult r = u.upload(local, objectPath, contentType);
            if (to.presigned()) {
                return new UploadResult(u.presign(objectPath, PRESIGNED_VALIDITY), r.size());
            }
            return r;
        }
    }

    private static int status(IOException e) {
        return e instanceof UploadException u ? u.status() : 0;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
