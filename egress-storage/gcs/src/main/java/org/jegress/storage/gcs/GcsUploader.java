package org.jegress.storage.gcs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;

/**
 * Uploads to a Google Cloud Storage bucket with a resumable upload read from disk in 16 MiB chunks (each chunk
 * retried on its own). The location is upstream's {@code https://<bucket>.storage.googleapis.com/<path>}, or
 * {@code <endpoint>/<bucket>/<path>} at a custom endpoint.
 */
final class GcsUploader implements Uploader {

    static final int CHUNK = 16 * 1024 * 1024;

    private final Storage storage;
    private final String bucket;
    private final String endpoint;

    GcsUploader(Storage storage, String bucket, String endpoint) {
        this.storage = storage;
        this.bucket = bucket;
        this.endpoint = endpoint;
    }

    @Override
    public UploadResult upload(Path localFile, String objectPath, String contentType) throws IOException {
        long size = Files.size(localFile);
        try {
            storage.createFrom(BlobInfo.newBuilder(BlobId.of(bucket, objectPath)).setContentType(contentType).build(),
                    localFile, CHUNK);
        } catch (StorageException e) {
            throw new UploadException(e.getMessage(), e.getCode(), e);
        }
        return new UploadResult(location(objectPath), size);
    }

    String location(String objectPath) {
        if (endpoint.isEmpty()) {
            return "https://" + bucket + ".storage.googleapis.com/" + objectPath;
        }
        return endpoint + "/" + bucket + "/" + objectPath;
    }

    @Override
    public String presign(String objectPath, Duration validity) throws IOException {
        try {
            return storage.signUrl(BlobInfo.newBuilder(BlobId.of(bucket, objectPath)).build(), validity.toSeconds(),
                    TimeUnit.SECONDS, Storage.SignUrlOption.withV4Signature()).toString();
        } catch (RuntimeException e) {
            throw new UploadException("cannot sign a URL for " + objectPath + ": " + e.getMessage(), 0, e);
        }
    }

    @Override
    public String provider() {
        return "GCP";
    }

    @Override
    public void close() {
        try {
            storage.close();
        } catch (Exception e) {
            // nothing held that outlives the egress
        }
    }
}
