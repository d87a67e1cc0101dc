package org.jegress.storage.oss;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

import com.aliyun.oss.ClientException;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSException;
import com.aliyun.oss.model.AbortMultipartUploadRequest;
import com.aliyun.oss.model.CompleteMultipartUploadRequest;
import com.aliyun.oss.model.InitiateMultipartUploadRequest;
import com.aliyun.oss.model.ObjectMetadata;
import com.aliyun.oss.model.PartETag;
import com.aliyun.oss.model.PutObjectRequest;
import com.aliyun.oss.model.UploadPartRequest;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;

/**
 * Uploads to an Alibaba Cloud OSS bucket: one PutObject up to {@link #MULTIPART_THRESHOLD}, else a multipart upload
 * of 16 MiB parts read from disk one at a time (aborted if it fails). The SDK checks every response's CRC-64
 * against what was sent. The location is upstream's {@code https://<bucket>.<endpoint>/<path>}.
 */
final class OssUploader implements Uploader {

    static final long MULTIPART_THRESHOLD = 16L * 1024 * 1024;
    private static final long PART = 16L * 1024 * 1024;
    /** Error codes that are the caller's doing (OSS answers them with 4xx). */
    private static final Set<String> CLIENT_ERRORS = Set.of("AccessDenied", "SignatureDoesNotMatch",
            "InvalidAccessKeyId", "NoSuchBucket", "InvalidBucketName", "InvalidObjectName", "EntityTooLarge",
            "InvalidArgument", "RequestTimeTooSkewed", "NoSuchUpload", "InvalidPart", "InvalidDigest");

    private final OSS client;
    private final String bucket;
    private final String endpoint;

    OssUploader(OSS client, String bucket, String endpoint) {
        this.client = client;
        this.bucket = bucket;
        this.endpoint = endpoint;
    }

    @Override
    public UploadResult upload(Path localFile, String objectPath, String contentType) throws IOException {
        long size = Files.size(localFile);
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentType(contentType);
        try {
            if (size <= MULTIPART_THRESHOLD) {
                client.putObject(new PutObjectRequest(bucket, objectPath, localFile.toFile(), meta));
            } else {
                multipart(localFile, size, objectPath, meta);
            }
        } catch (OSSException e) {
            throw new UploadException(e.getErrorCode() + ": " + e.getErrorMessage(), status(e.getErrorCode()), e);
        } catch (ClientException e) {
            throw new UploadException(e.getMessage(), 0, e);
        }
        return new UploadResult(location(objectPath), size);
    }

    private void multipart(Path file, long size, String key, ObjectMetadata meta) throws IOException {
        String uploadId = client.initiateMultipartUpload(new InitiateMultipartUploadRequest(bucket, key, meta))
                .getUploadId();
        List<PartETag> tags = new ArrayList<>();
        try {
            long offset = 0;
            for (int n = 1; offset < size; n++) {
                long length = Math.min(PART, size - offset);
                try (InputStream in = Files.newInputStream(file)) {
                    in.skipNBytes(offset);
                    UploadPartRequest part = new UploadPartRequest(bucket, key, uploadId, n, in, length);
                    tags.add(client.uploadPart(part).getPartETag());
                }
                offset += length;
            }
            client.completeMultipartUpload(new CompleteMultipartUploadRequest(bucket, key, uploadId, tags));
        } catch (IOException | RuntimeException e) {
            try {
                client.abortMultipartUpload(new AbortMultipartUploadRequest(bucket, key, uploadId));
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private static int status(String code) {
        if (code == null) {
            return 0;
        }
        return CLIENT_ERRORS.contains(code) ? 400 : 500;
    }

    String location(String objectPath) {
        String e = endpoint;
        String scheme = "https://";
        int i = e.indexOf("://");
        if (i >= 0) {
            scheme = e.substring(0, i + 3);
            e = e.substring(i + 3);
        }
        if (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        if (e.matches("[0-9.]+(:\\d+)?") || e.startsWith("localhost")) {
            // an address, not a domain: the SDK addresses the bucket in the path, and so does the location
            return scheme + e + "/" + bucket + "/" + objectPath;
        }
        return scheme + bucket + "." + e + "/" + objectPath;
    }

    @Override
    public String presign(String objectPath, Duration validity) throws IOException {
        try {
            return client.generatePresignedUrl(bucket, objectPath, new Date(System.currentTimeMillis()
                    + validity.toMillis())).toString();
        } catch (RuntimeException e) {
            throw new UploadException("cannot sign a URL for " + objectPath + ": " + e.getMessage(), 0, e);
        }
    }

    @Override
    public String provider() {
        return "AliOSS";
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
