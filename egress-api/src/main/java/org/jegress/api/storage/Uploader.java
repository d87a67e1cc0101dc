package org.jegress.api.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Moves finished outputs to one storage target. One instance serves one egress and may be called from
 * several threads.
 */
public interface Uploader extends AutoCloseable {

    /**
     * Where the pipeline should write a file destined for {@code storagePath} when this storage can hold it
     * in place (local disk). Writing in place means a crash leaves the partial recording at its final
     * location; remote storages return empty and receive the finished file through {@link #upload}.
     */
    Optional<Path> directPath(String storagePath);

    /**
     * Stores a finished local file under {@code storagePath}. A failure must leave {@code localFile} in place.
     *
     * @param localFile the finished file on local disk
     * @param storagePath the object path, templates resolved, without the storage prefix
     * @param contentType MIME type of the content
     * @return where the object can be found
     * @throws IOException when the upload failed; the message is reported as "&lt;provider&gt; upload failed: …"
     */
    UploadResult upload(Path localFile, String storagePath, String contentType) throws IOException;

    /** Human-readable provider name used in errors, e.g. "local", "s3". */
    String provider();

    @Override
    default void close() {
    }
}
