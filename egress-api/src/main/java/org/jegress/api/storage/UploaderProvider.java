package org.jegress.api.storage;

import java.nio.file.Path;

import org.jegress.api.plan.StorageTarget;

/**
 * Creates uploaders for one storage provider; discovered with {@link java.util.ServiceLoader}. Each provider ships
 * in its own artifact ({@code egress-storage-s3}, {@code -azure}, {@code -gcs}, {@code -oss}), so an embedder pulls
 * only the SDKs it uploads with.
 */
public interface UploaderProvider {

    /** Which {@link StorageTarget.Provider} this serves. */
    StorageTarget.Provider provider();

    /**
     * Checks, before the egress starts and without touching the network, what the provider's SDK would only reject
     * at the first upload: an unknown region, unreadable credentials, a malformed proxy URL.
     *
     * @throws org.jegress.api.error.EgressException naming the field, as upstream's invalid-input errors do
     */
    default void validate(StorageTarget target) {
    }

    /**
     * @param target the storage an output resolved to
     * @param outputDirectory base directory that relative local paths resolve against
     */
    Uploader create(StorageTarget target, Path outputDirectory);
}
