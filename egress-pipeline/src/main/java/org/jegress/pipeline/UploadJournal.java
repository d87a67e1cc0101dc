package org.jegress.pipeline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jegress.api.config.ConfigLoader;
import org.jegress.api.plan.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one egress still has to store, kept on disk ({@code <dir>/<egress_id>.json}) so that nothing recorded is lost
 * when the process dies: the file being recorded (a crash-safe MP4 is playable at any moment), and every upload
 * from the moment it starts until it succeeded. Entries that were stored leave the journal; a journal with nothing
 * left is deleted when the egress ends. A worker that starts again ({@link JournalRecovery}) finishes what a dead
 * process left behind and writes the outcome of each entry next to it ({@code <egress_id>.recovered.json}).
 *
 * <p>The journal holds the storage settings, credentials included, that the uploads need: the file is readable by
 * its owner only, like the config file the credentials came from. While an egress runs, its process holds a lock on
 * the journal, so a recovery never uploads what a live egress is still uploading.
 */
public final class UploadJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UploadJournal.class);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where an entry stands. */
    public enum State {
        /** The file is being recorded; it is uploaded when the recording ends. */
        RECORDING,
        /** An upload started and has not finished. */
        PENDING,
        /** The last upload failed; the local file is kept. */
        FAILED,
        /** Stored in the primary storage (recovery only). */
        UPLOADED,
        /** Stored in the backup storage (recovery only). */
        BACKUP,
        /** The local file was gone when recovery came to it (recovery only). */
        LOST
    }

    /**
     * One file to store.
     *
     * @param storage key of the primary target in the journal's storage list
     * @param objectPath the path in storage, before the storage prefix is joined
     * @param location where it ended up (recovery outcomes only)
     * @param error the last failure, if any
     */
    public record Entry(String storage, String objectPath, String localFile, String contentType, State state,
            String location, String error) {
    }

    private final Path file;
    private final String egressId;
    private final Map<String, StorageTarget> storages = new LinkedHashMap<>();
    private StorageTarget backup;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;

    private UploadJournal(Path file, String egressId, FileChannel lockChannel, FileLock lock) {
        this.file = file;
        this.egressId = egressId;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens a fresh journal for an egress that is starting, and holds its lock until {@link #close()}.
     *
     * @param backup the egress's backup storage, or null
     */
    public static UploadJournal create(Path dir, String egressId, StorageTarget backup) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(egressId + ".json");
        Locked l = lock(dir, egressId);
        if (l == null) {
            throw new IOException("upload journal of " + egressId + " is held by another process");
        }
        UploadJournal j = new UploadJournal(file, egressId, l.channel, l.lock);
        j.backup = backup;
        return j;
    }

    /**
     * Opens the journal a dead process left, holding its lock; null when a live process still holds it.
     */
    static UploadJournal reopen(Path file) throws IOException {
        String name = file.getFileName().toString();
        String egressId = name.substring(0, name.length() - ".json".length());
        Locked l = lock(file.getParent(), egressId);
        if (l == null) {
            return null;
        }
        UploadJournal j = new UploadJournal(file, egressId, l.channel, l.lock);
        try {
            j.read();
        } catch (IOException | RuntimeException e) {
            j.releaseLock();
            throw e instanceof IOException io ? io : new IOException("unreadable journal " + file + ": " + e, e);
        }
        return j;
    }

    private record Locked(FileChannel channel, FileLock lock) {
    }

    private static Locked lock(Path dir, String egressId) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve("." + egressId + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                return null;
            }
            return new Locked(ch, lock);
        } catch (OverlappingFileLockException e) {
            ch.close();
            return null;
        }
    }

    public String egressId() {
        return egressId;
    }

    public Path file() {
        return file;
    }

    /** The backup storage recorded with the journal, or null. */
    public synchronized StorageTarget backup() {
        return backup;
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** The storage target behind an entry's key. */
    public synchronized StorageTarget storage(String key) {
        return storages.get(key);
    }

    /** A file that will be stored when the recording ends. */
    public void recording(StorageTarget target, Path local, String objectPath, String contentType) {
        put(target, local, objectPath, contentType, State.RECORDING, null);
    }

    /** An upload is starting. */
    public void pending(StorageTarget target, Path local, String objectPath, String contentType) {
        put(target, local, objectPath, contentType, State.PENDING, null);
    }

    /** The upload failed; the local file stays. */
    public void failed(StorageTarget target, Path local, String objectPath, String contentType, String error) {
        put(target, local, objectPath, contentType, State.FAILED, error);
    }

    /** The object was stored: the entry leaves the journal. */
    public synchronized void stored(StorageTarget target, String objectPath) {
        if (entries.remove(key(keyOf(target), objectPath)) != null) {
            write();
        }
    }

    /** Local files the journal still needs (they must not be deleted). */
    public synchronized List<Path> unstoredFiles() {
        List<Path> files = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.state() == State.RECORDING || e.state() == State.PENDING || e.state() == State.FAILED) {
                files.add(Path.of(e.localFile()));
            }
        }
        return files;
    }

    private synchronized void put(StorageTarget target, Path local, String objectPath, String contentType, State state,
            String error) {
        String storage = keyOf(target);
        entries.put(key(storage, objectPath), new Entry(storage, objectPath, local.toAbsolutePath().toString(),
                contentType, state, null, error));
        write();
    }

    /** Records how recovery ended for an entry (kept in the recovered journal). */
    synchronized void outcome(Entry e, State state, String location, String error) {
        entries.put(key(e.storage(), e.objectPath()), new Entry(e.storage(), e.objectPath(), e.localFile(),
                e.contentType(), state, location, error));
        write();
    }

    private String keyOf(StorageTarget target) {
        for (Map.Entry<String, StorageTarget> s : storages.entrySet()) {
            if (s.getValue().equals(target)) {
                return s.getKey();
            }
        }
        String key = "storage" + storages.size();
        storages.put(key, target);
        return key;
    }

    private static String key(String storage, String objectPath) {
        return storage + "\n" + objectPath;
    }

    /**
     * Ends the journal of an egress that finished: deleted when nothing is left, else kept for the next recovery.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (entries.isEmpty()) {
                Files.deleteIfExists(file);
            } else {
                LOG.warn("{}: {} file(s) not stored, kept for a retry: {}", egressId, entries.size(), file);
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot remove the upload journal: {}", egressId, e.toString());
        }
        releaseLock();
    }

    /** Ends a recovered journal: renamed to {@code <egress_id>.recovered.json} when every entry has an outcome. */
    synchronized void finishRecovery() {
        closed = true;
        boolean settled = entries.values().stream().allMatch(e -> e.state() == State.UPLOADED
                || e.state() == State.BACKUP || e.state() == State.LOST);
        try {
            if (settled) {
                Files.move(file, file.resolveSibling(egressId + ".recovered.json"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot rename the recovered journal: {}", egressId, e.toString());
        }
        releaseLock();
    }

    private void releaseLock() {
        try {
            lock.release();
            lockChannel.close();
            Files.deleteIfExists(file.resolveSibling("." + egressId + ".lock"));
        } catch (IOException e) {
            LOG.debug("{}: releasing the journal lock: {}", egressId, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------- on disk

    private void write() {
        ObjectNode root = JSON.createObjectNode();
        root.put("egress_id", egressId);
        ObjectNode st = root.putObject("storages");
        storages.forEach((k, t) -> st.set(k, targetNode(t)));
        if (backup != null) {
            root.set("backup", targetNode(backup));
        }
        ArrayNode list = root.putArray("entries");
        for (Entry e : entries.values()) {
            ObjectNode n = list.addObject();
            n.put("storage", e.storage());
            n.put("object_path", e.objectPath());
            n.put("local_file", e.localFile());
            n.put("content_type", e.contentType());
            n.put("state", e.state().name().toLowerCase(java.util.Locale.ROOT));
            if (e.location() != null) {
                n.put("location", e.location());
            }
            if (e.error() != null) {
                n.put("error", e.error());
            }
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, JSON.writeValueAsBytes(root));
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions apply
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the recording goes on; only a crash from here on would lose track of these files
            LOG.warn("{}: cannot write the upload journal {}: {}", egressId, file, e.toString());
        }
    }

    private static ObjectNode targetNode(StorageTarget t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("provider", t.provider().id());
        if (!t.apiEndpoint().isEmpty()) {
            n.put("api_endpoint", t.apiEndpoint());
        }
        n.set("block", JSON.valueToTree(t.storage().keys(false)));
        return n;
    }

    private static StorageTarget target(JsonNode n) throws IOException {
        String provider = n.path("provider").asText();
        String endpoint = n.path("api_endpoint").asText("");
        StorageTarget t = StorageTarget.of(ConfigLoader.storageBlock(JSON.writeValueAsString(n.path("block"))),
                endpoint.isEmpty() ? Map.of() : Map.of(provider, endpoint));
        if (!t.provider().id().equals(provider)) {
            throw new IOException("journal storage " + provider + " reads back as " + t.provider().id());
        }
        return t;
    }

    private void read() throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        if (!egressId.equals(root.path("egress_id").asText())) {
            throw new IOException("journal " + file + " belongs to " + root.path("egress_id").asText());
        }
        var fields = root.path("storages").fields();
        while (fields.hasNext()) {
            var f = fields.next();
            storages.put(f.getKey(), target(f.getValue()));
        }
        if (root.hasNonNull("backup")) {
            backup = target(root.get("backup"));
        }
        for (JsonNode n : root.path("entries")) {
            Entry e = new Entry(n.path("storage").asText(), n.path("object_path").asText(),
                    n.path("local_file").asText(), n.path("content_type").asText(),
                    State.valueOf(n.path("state").asText().toUpperCase(java.util.Locale.ROOT)),
                    n.hasNonNull("location") ? n.get("location").asText() : null,
                    n.hasNonNull("error") ? n.get("error").asText() : null);
            Objects.requireNonNull(storages.get(e.storage()), "journal entry names an unknown storage");
            entries.put(key(e.storage(), e.objectPath()), e);
        }
    }
}
