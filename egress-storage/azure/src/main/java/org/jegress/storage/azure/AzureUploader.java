package org.jegress.storage.azure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;

import com.azure.core.exception.AzureException;
import com.azure.core.exception.HttpResponseException;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;

/**
 * Uploads to an Azure Blob container: one Put Blob for small files, 4 MiB blocks (Put Block + Put Block List) for
 * larger ones, read from disk block by block, as upstream's uploader does. The location is the blob's URL
 * ({@code https://<account>.blob.core.windows.net/<container>/<path>} on the public cloud).
 */
final class AzureUploader implements Uploader {

    static final long BLOCK_SIZE = 4L * 1024 * 1024;
    private static final int CONCURRENCY = 4;

    private final BlobContainerClient container;

    AzureUploader(BlobContainerClient container) {
        this.container = container;
    }

    @Override
    public UploadResult upload(Path localFile, String objectPath, String contentType) throws IOException {
        long size = Files.size(localFile);
        var blob = container.getBlobClient(objectPath);
        try {
            blob.uploadFromFileWithResponse(new BlobUploadFromFileOptions(localFile.toString())
                    .setHeaders(new BlobHttpHeaders().setContentType(contentType))
                    .setParallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong(BLOCK_SIZE)
                            .setMaxSingleUploadSizeLong(BLOCK_SIZE).setMaxConcurrency(CONCURRENCY)), null, null);
        } catch (HttpResponseException e) {
            throw new UploadException(e.getMessage(), e.getResponse() == null ? 0 : e.getResponse().getStatusCode(),
                    e);
        } catch (AzureException | UncheckedIOException e) {
            throw new UploadException(e.getMessage(), 0, e);
        }
        // upstream reports the container URL and the path as it is (no %2F)
        return new UploadResult(container.getBlobContainerUrl() + "/" + objectPath, size);
    }

    @Override
    public String presign(String objectPath, Duration validity) throws IOException {
        var blob = container.getBlobClient(objectPath);
        try {
            String sas = blob.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plus(validity),
                    new BlobSasPermission().setReadPermission(true)));
            return blob.getBlobUrl() + "?" + sas;
        } catch (RuntimeException e) {
            throw new UploadException("cannot sign a URL for " + objectPath + ": " + e.getMessage(), 0, e);
        }
    }

    @Override
    public String provider() {
        return "Azure";
    }
}
