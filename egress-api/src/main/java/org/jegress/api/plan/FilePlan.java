package org.jegress.api.plan;

import java.util.Map;

/**
 * One file output.
 *
 * @param type container; {@link OutputType#UNKNOWN_FILE} only while {@code pending} (a track egress learns it from the
 *        track's codec)
 * @param storagePath the path the file is stored under, templates resolved as far as known; also
 *        {@code FileInfo.filename}
 * @param disableManifest skip the {@code <egress_id>.json} manifest next to this file
 * @param storage where the finished file goes
 * @param pending what is left to resolve once the room's tracks are known, or null when the path is final
 */
public record FilePlan(OutputType type, String storagePath, boolean disableManifest, StorageTarget storage,
        Pending pending) {

    /**
     * A path that still depends on the room: {@code {publisher_identity}}, {@code {track_id}}, {@code {track_type}},
     * {@code {track_source}} and, for a track egress, the container.
     *
     * @param path the requested path with every placeholder known at request time replaced; may be empty or end in
     *        {@code /}
     * @param generatedName the name used when {@code path} names no file: {@code <identifier>-<time>[-<retry>]}
     */
    public record Pending(String path, String generatedName) {
    }

    /** A file whose path is final. */
    public FilePlan(OutputType type, String storagePath, boolean disableManifest, StorageTarget storage) {
        this(type, storagePath, disableManifest, storage, null);
    }

    public boolean resolved() {
        return pending == null;
    }

    /**
     * Completes a pending path.
     *
     * @param container the container, for a track egress the one its codec calls for; null keeps the planned one
     * @param replacements room-dependent placeholders, e.g. {@code {track_id}} → {@code TR_…}; placeholders without a
     *        value stay as they are (as upstream)
     */
    public FilePlan resolve(OutputType container, Map<String, String> replacements) {
        if (pending == null) {
            return this;
        }
        OutputType t = container != null ? container : type;
        if (t == OutputType.UNKNOWN_FILE) {
            throw new IllegalArgumentException("the container of a track egress must be known to resolve its path");
        }
        String path = pending.path();
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            path = path.replace(e.getKey(), e.getValue());
        }
        if (path.isEmpty() || path.endsWith("/")) {
            path = path + pending.generatedName() + t.extension();
        } else {
            path = FilenameTemplate.withExtension(path, t.extension());
        }
        return new FilePlan(t, path, disableManifest, storage, null);
    }
}
