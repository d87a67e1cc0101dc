package org.jegress.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;

/** The uploader of an egress without files (a WebSocket only): nothing is ever stored. */
final class NoUpload implements Uploader {

    @Override
    public Optional<Path> directPath(String storagePath) {
        return Optional.empty();
    }

    @Override
    public UploadResult upload(Path localFile, String storagePath, String contentType) throws IOException {
        throw new IOException("this egress stores no files");
    }

    @Override
    public String provider() {
        return "none";
    }
}
