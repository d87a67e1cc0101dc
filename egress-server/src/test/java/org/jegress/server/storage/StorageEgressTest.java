package org.jegress.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.AliOSSUpload;
import org.jegress.api.livekit.AzureBlobUpload;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.GCPUpload;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.S3Upload;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.StorageTarget;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.pipeline.JournalRecovery;
import org.jegress.pipeline.UploadJournal;
import org.jegress.testsuite.TestSources;
import org.jegress.testsuite.media.M3u8;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.Ports;
import org.jegress.testsuite.storage.Azurite;
import org.jegress.testsuite.storage.FakeGcs;
import org.jegress.testsuite.storage.FakeOss;
import org.jegress.testsuite.storage.S3Emulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Egresses uploading to each of the four providers' emulators over real HTTP on loopback, from request fields and
 * from the server's storage block, and what happens when storage fails: backup storage, both down, wrong
 * credentials, bad settings. Every object is downloaded and decoded. The media is test media (no browser), 3 s.
 */
@Tag("gst")
class StorageEgressTest {

    private static final String BUCKET = "recordings";

    @TempDir
    static Path emulators;
    private static S3Emulator s3;
    private static Azurite azure;
    private static FakeGcs gcs;
    private static FakeOss oss;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEmulators() throws Exception {
        // in parallel: each takes a second or two to come up
        var s = CompletableFuture.supplyAsync(() -> call(() -> S3Emulator.start(emulators.resolve("s3"), BUCKET)));
        var a = CompletableFuture.supplyAsync(() -> call(Azurite::start));
        var g = CompletableFuture.supplyAsync(() -> call(() -> FakeGcs.start(emulators.resolve("gcs.log"), BUCKET)));
        oss = FakeOss.start(BUCKET);
        s3 = s.join();
        azure = a.join();
        gcs = g.join();
        azure.createContainer(BUCKET);
    }

    @AfterAll
    static void stopEmulators() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {s3, azure, gcs, oss}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------- fixtures

    private static String endpoints() {
        return "storage_endpoints:\n  azure: 'http://127.0.0.1:" + URI.create(azure.accountEndpoint()).getPort()
                + "/{account}'\n  gcp: '" + gcs.endpoint() + "'\n";
    }

    private EgressOptions options(String yaml) {
        return EgressOptions.defaults().withConfig(ConfigLoader.parse(endpoints() + yaml, Map.of()))
                .withOutputDirectory(dir).withWorkRoot(dir.resolve("work")).withSourceProvider(new TestSources());
    }

    private static S3Upload.Builder s3Upload() {
        return S3Upload.newBuilder().setAccessKey(S3Emulator.ACCESS_KEY).setSecret(S3Emulator.SECRET)
                .setRegion("us-east-1").setEndpoint(s3.endpoint()).setBucket(BUCKET).setForcePathStyle(true);
    }

    private static AzureBlobUpload azureUpload() {
        return AzureBlobUpload.newBuilder().setAccountName(Azurite.ACCOUNT).setAccountKey(Azurite.KEY)
                .setContainerName(BUCKET).build();
    }

    private static GCPUpload gcpUpload() {
        return GCPUpload.newBuilder().setBucket(BUCKET).build();
    }

    private static AliOSSUpload ossUpload() {
        return AliOSSUpload.newBuilder().setAccessKey(FakeOss.ACCESS_KEY).setSecret(FakeOss.SECRET)
                .setEndpoint(oss.endpoint()).setBucket(BUCKET).build();
    }

    /** What each provider holds under {@code key}, read back without our uploader's credentials where possible. */
    private static byte[] download(StorageTarget.Provider p, String key) throws Exception {
        return switch (p) {
            case S3 -> s3.get(BUCKET, key);
            case GCP -> gcs.get(BUCKET, key);
            case ALIOSS -> oss.object(BUCKET, key);
            case AZURE -> azure.get(BUCKET, key);
            case LOCAL -> throw new IllegalArgumentException();
        };
    }

    private static byte[] fetch(String url) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    private MediaProbe probe(byte[] mp4) throws Exception {
        Path f = Files.createTempFile(dir, "download", ".mp4");
        Files.write(f, mp4);
        return MediaProbe.of(f);
    }

    private void assertRecording(MediaProbe p, double seconds) {
        assertThat(p.video()).hasValueSatisfying(v -> assertThat(v.codec()).isEqualTo("h264"));
        assertThat(p.audio()).hasValueSatisfying(a -> assertThat(a.codec()).isEqualTo("aac"));
        assertThat(p.duration()).isCloseTo(seconds, within(1.2));
    }

    private static WebEgressRequest.Builder page() {
        return WebEgressRequest.newBuilder().setUrl(TestSources.url(""));
    }

    private static EgressInfo record(WebEgressRequest.Builder request, EgressOptions options, double seconds)
            throws Exception {
        EgressHandle h = Egress.start(request.build(), options);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (h.info().getStatus() != EgressStatus.EGRESS_ACTIVE && System.nanoTime() < deadline) {
            assertThat(h.info().getStatus()).as(h.info().getError()).isIn(EgressStatus.EGRESS_STARTING,
                    EgressStatus.EGRESS_ACTIVE);
            Thread.sleep(50);
        }
        Thread.sleep((long) (seconds * 1000));
        h.stop();
        return h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();
    }

    // ------------------------------------------------------------------------------------------- tests

    @Test
    void uploadsToEachProviderFromRequestFields() throws Exception {
        EgressOptions options = options("");
        Map<StorageTarget.Provider, EncodedFileOutput.Builder> outputs = Map.of(
                StorageTarget.Provider.S3, EncodedFileOutput.newBuilder().setFilepath("rec/s3.mp4").setS3(s3Upload()),
                StorageTarget.Provider.AZURE, EncodedFileOutput.newBuilder().setFilepath("rec/az.mp4")
                        .setAzure(azureUpload()),
                StorageTarget.Provider.GCP, EncodedFileOutput.newBuilder().setFilepath("rec/gcp.mp4")
                        .setGcp(gcpUpload()),
                StorageTarget.Provider.ALIOSS, EncodedFileOutput.newBuilder().setFilepath("rec/oss.mp4")
                        .setAliOSS(ossUpload()));
        Map<StorageTarget.Provider, String> locations = Map.of(
                StorageTarget.Provider.S3, s3.endpoint() + "/" + BUCKET + "/rec/s3.mp4",
                StorageTarget.Provider.AZURE, azure.accountEndpoint() + "/" + BUCKET + "/rec/az.mp4",
                StorageTarget.Provider.GCP, gcs.endpoint() + "/" + BUCKET + "/rec/gcp.mp4",
                StorageTarget.Provider.ALIOSS, oss.endpoint() + "/" + BUCKET + "/rec/oss.mp4");
        for (var e : outputs.entrySet()) {
            EgressInfo end = record(page().addFileOutputs(e.getValue()), options, 3);
            assertThat(end.getStatus()).as("%s: %s", e.getKey(), end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
            String key = e.getValue().getFilepath();
            assertThat(end.getFileResults(0).getLocation()).isEqualTo(locations.get(e.getKey()));
            assertRecording(probe(download(e.getKey(), key)), 3);
            String manifest = new String(download(e.getKey(), "rec/" + end.getEgressId() + ".json"));
            assertThat(manifest).contains(locations.get(e.getKey()));
            assertThat(end.getManifestLocation()).endsWith("rec/" + end.getEgressId() + ".json");
            assertThat(end.toString()).doesNotContain(S3Emulator.SECRET, Azurite.KEY, FakeOss.SECRET);
        }
        // nothing staged is left behind once stored
        try (var left = Files.walk(dir.resolve("work"))) {
            assertThat(left.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".mp4"))).isEmpty();
        }
    }

    @Test
    void uploadsToTheServerStorageBlockWithPrefixAndPresignedUrls() throws Exception {
        Map<StorageTarget.Provider, String> blocks = Map.of(
                StorageTarget.Provider.S3, "  generate_presigned_url: true\n  s3: {access_key: " + S3Emulator.ACCESS_KEY
                        + ", secret: " + S3Emulator.SECRET + ", region: us-east-1, endpoint: '" + s3.endpoint()
                        + "', bucket: " + BUCKET + ", force_path_style: true}\n",
                StorageTarget.Provider.AZURE, "  azure: {account_name: " + Azurite.ACCOUNT + ", account_key: '"
                        + Azurite.KEY + "', container_name: " + BUCKET + "}\n",
                StorageTarget.Provider.GCP, "  gcp: {bucket: " + BUCKET + "}\n",
                StorageTarget.Provider.ALIOSS, "  alioss: {access_key: " + FakeOss.ACCESS_KEY + ", secret: "
                        + FakeOss.SECRET + ", endpoint: '" + oss.endpoint() + "', bucket: " + BUCKET + "}\n");
        for (var e : blocks.entrySet()) {
            EgressOptions options = options("storage:\n  prefix: egress/\n" + e.getValue());
            String name = e.getKey().id() + "-block.mp4";
            EgressInfo end = record(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath(name)), options,
                    3);
            assertThat(end.getStatus()).as("%s: %s", e.getKey(), end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
            assertThat(end.getFileResults(0).getFilename()).isEqualTo(name);
            String location = end.getFileResults(0).getLocation();
            if (e.getKey() == StorageTarget.Provider.S3) {
                // a presigned URL, good for a week, that needs no credentials
                assertThat(location).startsWith(s3.endpoint() + "/" + BUCKET + "/egress/" + name + "?")
                        .contains("X-Amz-Expires=604800");
                assertRecording(probe(fetch(location)), 3);
            } else {
                assertThat(location).endsWith("/" + BUCKET + "/egress/" + name);
                assertRecording(probe(download(e.getKey(), "egress/" + name)), 3);
            }
        }
    }

    @Test
    void segmentsAndImagesGoToStorageToo() throws Exception {
        EgressInfo end = record(page()
                .addSegmentOutputs(SegmentedFileOutput.newBuilder().setFilenamePrefix("hls/seg").setSegmentDuration(1)
                        .setS3(s3Upload()))
                .addImageOutputs(ImageOutput.newBuilder().setFilenamePrefix("thumbs/t").setCaptureInterval(1)
                        .setAliOSS(ossUpload())), options(""), 4);
        assertThat(end.getStatus()).as(end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(end.getSegmentResults(0).getPlaylistLocation()).isEqualTo(s3.endpoint() + "/" + BUCKET
                + "/hls/seg.m3u8");
        Path playlist = dir.resolve("seg.m3u8");
        Files.write(playlist, s3.get(BUCKET, "hls/seg.m3u8"));
        M3u8 m3u8 = M3u8.read(playlist);
        assertThat(m3u8.ended()).isTrue();
        assertThat(m3u8.entries()).hasSizeGreaterThanOrEqualTo(3);
        Path segment = dir.resolve("first.ts");
        Files.write(segment, s3.get(BUCKET, "hls/" + m3u8.entries().get(0).uri()));
        assertThat(MediaProbe.of(segment).video()).isPresent();
        assertThat(oss.keys(BUCKET)).anyMatch(k -> k.startsWith("thumbs/t_") && k.endsWith(".jpeg"));
        assertThat(end.getImageResults(0).getImageCount()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aStorageOutageGoesToBackupStorage() throws Exception {
        int closed = Ports.freeTcp();
        EgressOptions options = options("storage:\n  s3: {access_key: a, secret: b, region: us-east-1, endpoint: "
                + "'http://127.0.0.1:" + closed + "', bucket: x, force_path_style: true, max_retries: 2,"
                + " min_retry_delay: 10ms, max_retry_delay: 50ms}\n"
                + "backup:\n  alioss: {access_key: " + FakeOss.ACCESS_KEY + ", secret: " + FakeOss.SECRET
                + ", endpoint: '" + oss.endpoint() + "', bucket: " + BUCKET + "}\n");
        EgressInfo end = record(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("outage.mp4")),
                options, 3);
        assertThat(end.getStatus()).as(end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(end.getBackupStorageUsed()).isTrue();
        assertThat(end.getFileResults(0).getLocation()).isEqualTo(oss.endpoint() + "/" + BUCKET + "/outage.mp4");
        assertRecording(probe(oss.object(BUCKET, "outage.mp4")), 3);
        // the manifest follows the file to the backup
        assertThat(oss.keys(BUCKET)).contains(end.getEgressId() + ".json");
    }

    @Test
    void bothStoragesDownFailsAndKeepsTheRecordingForTheJournal() throws Exception {
        int closed = Ports.freeTcp();
        EgressOptions options = options("storage:\n  s3: {access_key: a, secret: b, region: us-east-1, endpoint: "
                + "'http://127.0.0.1:" + closed + "', bucket: x, force_path_style: true, max_retries: 2,"
                + " min_retry_delay: 10ms, max_retry_delay: 50ms}\n"
                + "backup:\n  alioss: {access_key: " + FakeOss.ACCESS_KEY + ", secret: " + FakeOss.SECRET
                + ", endpoint: '" + oss.endpoint() + "', bucket: " + BUCKET + "}\n");
        oss.failWith(503);
        EgressInfo end;
        try {
            end = record(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("down/both.mp4")), options,
                    3);
        } finally {
            oss.failWith(0);
        }
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(end.getError()).startsWith("primary: S3 upload failed: ").contains("\nbackup: AliOSS upload failed: ")
                .contains("kept at ");
        Path kept = Path.of(end.getFileResults(0).getLocation());
        assertThat(end.getError()).contains(kept.toString());
        assertRecording(MediaProbe.of(kept), 3);
        Path journal = options.journalDirectory().resolve(end.getEgressId() + ".json");
        assertThat(Files.readString(journal)).contains("\"state\" : \"failed\"", "down/both.mp4");

        // the next recovery (a worker starting) stores it: the primary is still down, so in the backup
        List<JournalRecovery.Outcome> outcomes = JournalRecovery.recoverAll(options);
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.entry().state()).isEqualTo(UploadJournal.State.BACKUP);
            assertThat(o.entry().location()).isEqualTo(oss.endpoint() + "/" + BUCKET + "/down/both.mp4");
        });
        assertRecording(probe(oss.object(BUCKET, "down/both.mp4")), 3);
        assertThat(kept).doesNotExist();
    }

    @Test
    void wrongCredentialsAreTheProvidersForbiddenAndTheFileStays() throws Exception {
        EgressInfo end = record(page().addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("creds.mp4")
                .setS3(s3Upload().setSecret("wrong-secret"))), options(""), 2);
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(end.getError()).startsWith("S3 upload failed: ").contains("403");
        assertThat(end.getErrorCode()).isEqualTo(400);
        Path kept = Path.of(end.getFileResults(0).getLocation());
        assertThat(MediaProbe.of(kept).video()).isPresent();
        assertThat(end.toString()).doesNotContain("wrong-secret");
    }

    @Test
    void badStorageSettingsAreRefusedBeforeAnythingStarts() {
        EgressOptions options = options("");
        record Bad(EncodedFileOutput.Builder output, ErrorCode code, String message) {
        }
        List<Bad> bad = List.of(
                new Bad(EncodedFileOutput.newBuilder().setS3(s3Upload().setBucket("")), ErrorCode.INVALID_ARGUMENT,
                        "request has missing or invalid field: bucket"),
                new Bad(EncodedFileOutput.newBuilder().setS3(S3Upload.newBuilder().setBucket("b")
                        .setRegion("moon-central-1")), ErrorCode.INVALID_ARGUMENT,
                        "request has missing or invalid field: region"),
                new Bad(EncodedFileOutput.newBuilder().setGcp(GCPUpload.newBuilder().setBucket("b")
                        .setCredentials("{\"type\": \"service_account\", \"private_key\": ")),
                        ErrorCode.INVALID_ARGUMENT, "request has missing or invalid field: credentials"),
                new Bad(EncodedFileOutput.newBuilder().setS3(S3Upload.newBuilder().setBucket("b")
                        .setRegion("us-east-1").setAssumeRoleArn("arn:aws:iam::1:role/r")),
                        ErrorCode.PERMISSION_DENIED, "S3 upload using AssumeRole is disabled for this account"));
        for (Bad b : bad) {
            assertThatThrownBy(() -> Egress.start(page().addFileOutputs(b.output()).build(), options))
                    .isInstanceOfSatisfying(EgressException.class, e -> {
                        assertThat(e.getMessage()).isEqualTo(b.message());
                        assertThat(e.code()).isEqualTo(b.code());
                    });
        }
        assertThat(dir.resolve("work")).doesNotExist();
    }
}
