package org.jegress.server.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jegress.api.config.S3Config;
import org.jegress.api.config.StorageConfig;
import org.jegress.api.plan.StorageTarget;
import org.jegress.pipeline.EgressOptions;
import org.jegress.pipeline.JournalRecovery;
import org.jegress.pipeline.UploadJournal;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One upload of a large file to S3 (S3Proxy on loopback), in a JVM of its own that {@code bench/storage/run.sh}
 * starts with a small heap and watches: {@code egress} mode goes through the whole storage layer (journal, prefix,
 * metrics hook, the S3 uploader) as a recovered upload; {@code sdk} mode is the same multipart upload written
 * straight against the AWS SDK, the baseline. Prints {@code seconds bytes}.
 *
 * <pre>UploadBench egress|sdk FILE ENDPOINT BUCKET KEY WORKDIR</pre>
 */
public final class UploadBench {

    private static final String ACCESS = "egress-access";
    private static final String SECRET = "egress-secret-key";
    private static final long PART = 16L * 1024 * 1024;

    private UploadBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path file = Path.of(args[1]);
        String endpoint = args[2];
        String bucket = args[3];
        String key = args[4];
        Path work = Path.of(args[5]);
        if (mode.equals("make")) {
            make(file, Long.parseLong(args[2]));
            return;
        }
        long size = Files.size(file);
        long t0;
        if (mode.equals("sdk")) {
            t0 = System.nanoTime();
            sdk(file, endpoint, bucket, key);
        } else {
            // a stored recovery deletes its local file: hand it a link to the test file
            Files.createDirectories(work);
            Path link = Files.createLink(work.resolve("upload.bin"), file);
            t0 = System.nanoTime();
            egress(link, endpoint, bucket, key, work);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%.3f %d%n", s, size);
    }

    private static void make(Path file, long bytes) throws Exception {
        org.jegress.testsuite.storage.TestFiles.random(file, bytes);
    }

    private static void sdk(Path file, String endpoint, String bucket, String key) throws Exception {
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
                .build()) {
            String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            long size = Files.size(file);
            List<CompletedPart> parts = new ArrayList<>();
            try (var in = Files.newInputStream(file)) {
                int n = 1;
                for (long off = 0; off < size; off += PART, n++) {
                    long len = Math.min(PART, size - off);
                    int part = n;
                    String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(part)
                            .contentLength(len), RequestBody.fromInputStream(new java.io.FilterInputStream(in) {
                                private long left = len;

                                @Override
                                public int read(byte[] buf, int o, int l) throws java.io.IOException {
                                    if (left <= 0) {
                                        return -1;
                                    }
                                    int r = super.read(buf, o, (int) Math.min(l, left));
                                    left -= Math.max(r, 0);
                                    return r;
                                }

                                @Override
                                public void close() {
                                }
                            }, len)).eTag();
                    parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
                }
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id)
                    .multipartUpload(m -> m.parts(parts)));
        }
    }

    private static void egress(Path file, String endpoint, String bucket, String key, Path work) throws Exception {
        StorageTarget target = StorageTarget.of(new StorageConfig("", false, new S3Config(ACCESS, SECRET, "", "", "",
                "us-east-1", endpoint, bucket, true, null, 5, Duration.ofSeconds(5), Duration.ofMillis(100), Map.of(),
                "", ""), null, null, null), Map.of());
        EgressOptions options = EgressOptions.defaults().withWorkRoot(work);
        String id = "EG_bench" + System.nanoTime();
        UploadJournal j = UploadJournal.create(options.journalDirectory(), id, null);
        j.recording(target, file, key, "video/mp4");
        j.close();
        // the recovery path: journal → storage layer → S3 uploader, exactly what a live egress's upload runs
        var outcomes = JournalRecovery.recover(id, options);
        if (outcomes.isEmpty() || outcomes.get(0).entry().state() != UploadJournal.State.UPLOADED) {
            throw new IllegalStateException("upload failed: " + outcomes);
        }
    }
}
