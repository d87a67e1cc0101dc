package org.jegress.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jegress.api.config.S3Config;
import org.jegress.api.storage.UploadException;
import org.jegress.api.storage.UploadResult;
import org.jegress.api.storage.Uploader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Uploads to S3 or an S3-compatible service with the AWS SDK v2 (synchronous client over the JDK's HTTP stack).
 * Files up to {@link #MULTIPART_THRESHOLD} go in one PutObject; larger ones in a multipart upload of
 * {@link #partSize} parts, each streamed from disk, so memory stays flat whatever the file size; a multipart upload
 * that fails is aborted, leaving no orphaned parts behind. Objects get the request's metadata, tagging and
 * Content-Disposition ({@code inline} unless set, as upstream), and the location upstream reports.
 */
final class S3Uploader implements Uploader {

    private static final Logger LOG = LoggerFactory.getLogger(S3Uploader.class);

    /** Above this, multipart (the SDK's own default threshold). */
    static final long MULTIPART_THRESHOLD = 16L * 1024 * 1024;
    private static final long MIN_PART = 16L * 1024 * 1024;
    private static final int MAX_PARTS = 10_000;

    private final S3Config conf;
    private final S3Client client;
    private final S3Presigner presigner;

    S3Uploader(S3Config conf, S3Client client, S3Presigner presigner) {
        this.conf = conf;
        this.client = client;
        this.presigner = presigner;
    }

    @Override
    public UploadResult upload(Path localFile, String objectPath, String contentType) throws IOException {
        long size = Files.size(localFile);
        try {
            if (size <= MULTIPART_THRESHOLD) {
                client.putObject(put(objectPath, contentType), RequestBody.fromFile(localFile));
            } else {
                multipart(localFile, size, objectPath, contentType);
            }
        } catch (SdkException e) {
            throw failure(e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return new UploadResult(location(objectPath), size);
    }

    private PutObjectRequest put(String key, String contentType) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(conf.bucket()).key(key).contentType(contentType)
                .metadata(conf.metadata()).contentDisposition(disposition());
        if (!conf.tagging().isEmpty()) {
            b.tagging(conf.tagging());
        }
        return b.build();
    }

    private String disposition() {
        return conf.contentDisposition().isEmpty() ? "inline" : conf.contentDisposition();
    }

    static long partSize(long size) {
        long part = MIN_PART;
        while ((size + part - 1) / part > MAX_PARTS) {
            part *= 2;
        }
        return part;
    }

    private void multipart(Path file, long size, String key, String contentType) {
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(conf.bucket())
                .key(key).contentType(contentType).metadata(conf.metadata()).contentDisposition(disposition());
        if (!conf.tagging().isEmpty()) {
            create.tagging(conf.tagging());
        }
        String uploadId = client.createMultipartUpload(create.build()).uploadId();
        long part = partSize(size);
        List<CompletedPart> parts = new ArrayList<>();
        try {
            long offset = 0;
            for (int n = 1; offset < size; n++) {
                long length = Math.min(part, size - offset);
                long from = offset;
                // a fresh stream at the part's offset for every attempt: a retried part is read again from disk
                ContentStreamProvider body = () -> slice(file, from, length);
                String etag = client.uploadPart(UploadPartRequest.builder().bucket(conf.bucket()).key(key)
                        .uploadId(uploadId).partNumber(n).contentLength(length).build(),
                        RequestBody.fromContentProvider(body, length, contentType)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
                offset += length;
            }
            client.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(conf.bucket()).key(key)
                    .uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())
                    .build());
        } catch (SdkException | java.io.UncheckedIOException e) {
            try {
                client.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(conf.bucket()).key(key)
                        .uploadId(uploadId).build());
            } catch (SdkException abort) {
                LOG.debug("aborting multipart upload {} of {}: {}", uploadId, key, abort.toString());
            }
            throw e;
        }
    }

    /**
     * Upstream's location: {@code https://<bucket>.<endpoint>/<key>}, or {@code <endpoint>/<bucket>/<key>} with
     * path-style addressing; the endpoint defaults to {@code s3.amazonaws.com}.
     */
    String location(String key) {
        String endpoint = conf.endpoint().isEmpty() ? "s3.amazonaws.com" : conf.endpoint();
        if (conf.forcePathStyle()) {
            if (!endpoint.startsWith("http")) {
                endpoint = "https://" + endpoint;
            }
            return stripSlash(endpoint) + "/" + conf.bucket() + "/" + key;
        }
        return "https://" + conf.bucket() + "." + stripSlash(endpoint) + "/" + key;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String presign(String objectPath, Duration validity) throws IOException {
        try {
            return presigner.presignGetObject(b -> b.signatureDuration(validity)
                    .getObjectRequest(GetObjectRequest.builder().bucket(conf.bucket()).key(objectPath).build()))
                    .url().toString();
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    private static UploadException failure(SdkException e) {
        int status = e instanceof SdkServiceException s ? s.statusCode() : 0;
        return new UploadException(e.getMessage(), status, e);
    }

    @Override
    public String provider() {
        return "S3";
    }

    @Override
    public void close() {
        client.close();
        presigner.close();
    }

    private static InputStream slice(Path file, long offset, long length) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(offset);
            return new Bounded(Channels.newInputStream(ch), length);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code length} bytes of a file from where its stream stands. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    static URI endpointUri(String endpoint) {
        return URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint);
    }
}
