package org.jegress.storage.local;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.jegress.api.storage.UploaderProvider;

/**
 * Stores outputs on local disk. Relative storage paths resolve against the output directory; absolute ones are
 * used as given (the {@code /out/recording.mp4} pattern of the upstream docs). The planner has already stripped
 * leading {@code ../}, so a relative path cannot leave the output directory. The object paths it gets already carry
 * {@code storage.prefix}, joined like for any other storage.
 */
public final class LocalStorage implements Uploader {

    private final Path root;

    public LocalStorage(Path outputDirectory) {
        this.root = outputDirectory.toAbsolutePath().normalize();
    }

    /** Local files are written where they belong, so a crash leaves the partial recording at its final path. */
    @Override
    public Optional<Path> directPath(String storagePath) {
        return Optional.of(resolve(storagePath));
    }

    @Override
    public UploadResult upload(Path localFile, String storagePath, String contentType) throws IOException {
        Path target = resolve(storagePath);
        if (!localFile.toAbsolutePath().normalize().equals(target)) {
            Files.createDirectories(target.getParent());
            try {
                Files.move(localFile, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.copy(localFile, target, StandardCopyOption.REPLACE_EXISTING);
                Files.delete(localFile);
            }
        }
        return new UploadResult(target.toString(), Files.size(target));
    }

    @Override
    public String provider() {
        return "Local";
    }

    private Path resolve(String storagePath) {
        Path p = Path.of(storagePath);
        return (p.isAbsolute() ? p : root.resolve(p)).normalize();
    }

    /** ServiceLoader entry point. */
    public static final class Provider implements UploaderProvider {

        @Override
        public StorageTarget.Provider provider() {
            return StorageTarget.Provider.LOCAL;
        }

        @Override
        public Uploader create(StorageTarget target, Path outputDirectory) {
            return new LocalStorage(outputDirectory);
        }
    }
}
