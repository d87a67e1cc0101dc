package org.jegress.api.storage;

import java.nio.file.Path;

import org.jegress.api.plan.StorageTarget;

/** Creates uploaders for one storage provider; discovered with {@link java.util.ServiceLoader}. */
public interface UploaderProvider {

    /** Which {@link StorageTarget.Provider} this serves. */
    StorageTarget.Provider provider();

    /**
     * @param target the storage an output resolved to
     * @param outputDirectory base directory that relative local paths resolve against
     */
    Uploader create(StorageTarget target, Path outputDirectory);
}
