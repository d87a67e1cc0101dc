package org.jegress.api.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Moves finished files to one storage target. One instance serves one egress and may be called from several
 * threads. Implementations only transfer: the object path they get already carries the storage prefix, and
 * retries beyond the provider's own, backup storage, presigned locations, metrics and the upload journal are the
 * pipeline's.
 */
public interface Uploader extends AutoCloseable {

    /**
     * Where the pipeline should write a file destined for {@code objectPath} when this storage can hold it in
     * place (local disk). Writing in place means a crash leaves the partial recording at its final location; remote
     * storages (the default) return empty and receive the finished file through {@link #upload}.
     */
    default Optional<Path> directPath(String objectPath) {
        return Optional.empty();
    }

    /**
     * Stores a finished local file under {@code objectPath}, streamed from disk (never held in memory). A failure
     * must leave {@code localFile} in place.
     *
     * @param localFile the finished file on local disk
     * @param objectPath the object path, prefix included
     * @param contentType MIME type of the content
     * @return where the object can be found, in the form upstream reports for this provider
     * @throws UploadException when the upload failed (the HTTP status, when there was one, classifies it)
     */
    UploadResult upload(Path localFile, String objectPath, String contentType) throws IOException;

    /**
     * A URL that reads {@code objectPath} without credentials until {@code validity} has passed
     * ({@code generate_presigned_url}).
     */
    default String presign(String objectPath, Duration validity) throws IOException {
        throw new UploadException(provider() + " storage cannot presign URLs", 0, null);
    }

    /** The provider's name as upstream puts it in errors: "S3", "GCP", "Azure", "AliOSS", "Local". */
    String provider();

    @Override
    default void close() {
    }
}
