package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.server.web.TestPages;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.StallingProxy;
import org.jegress.testsuite.storage.S3Emulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing recorded is lost when processes die, through the upload journal in {@code local_directory}: a handler
 * killed in the middle of its upload, and a worker and its handler killed mid-recording, both end with the object
 * stored and playable. The worker uploads to the server's {@code storage:} block (S3Proxy).
 */
@Tag("livekit")
class UploadJournalIntegrationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    static Path dir;
    static LiveKitServer livekit;
    static TestPages pages;
    static S3Emulator s3;

    @BeforeAll
    static void start() throws Exception {
        livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir);
        pages = new TestPages();
        s3 = S3Emulator.start(dir.resolve("s3"), "bucket");
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (pages != null) {
            pages.close();
        }
        if (livekit != null) {
            livekit.close();
        }
    }

    private static String storage(int port, Path localDirectory) {
        return String.join("\n",
                "local_directory: " + localDirectory,
                "storage:",
                "  s3: {access_key: " + S3Emulator.ACCESS_KEY + ", secret: " + S3Emulator.SECRET
                        + ", region: us-east-1, endpoint: 'http://127.0.0.1:" + port + "', bucket: bucket,"
                        + " force_path_style: true}");
    }

    /** The handler JVMs of a worker; the one running an egress is the one with children (Chromium, Xvfb, …). */
    private static List<ProcessHandle> handlers(WorkerFixture w) {
        return ProcessHandle.of(w.pid()).orElseThrow().children()
                .filter(p -> p.info().command().orElse("").endsWith("java")).toList();
    }

    private static ProcessHandle busyHandler(WorkerFixture w) {
        return handlers(w).stream().filter(p -> p.children().findAny().isPresent()).findFirst().orElseThrow();
    }

    private static EgressInfo await(String id, java.util.function.Predicate<EgressInfo> condition, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        EgressInfo last = null;
        while (System.nanoTime() < deadline) {
            last = livekit.get(id);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within " + max + "; last: " + last);
    }

    private static void awaitObject(String key, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!s3.keys("bucket").contains(key)) {
            assertThat(System.nanoTime()).as("%s stored; bucket has %s", key, s3.keys("bucket")).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static MediaProbe probe(String key) throws Exception {
        Path f = Files.write(Files.createTempFile(dir, "obj", key.substring(key.lastIndexOf('.'))), s3.get("bucket",
                key));
        return MediaProbe.of(f);
    }

    @Test
    void aHandlerKilledMidUploadIsFinishedFromItsJournal() throws Exception {
        Path local = dir.resolve("journal-a");
        int prometheus = org.jegress.testsuite.servers.Ports.freeTcp();
        try (StallingProxy link = new StallingProxy(URI.create(s3.endpoint()).getPort());
                WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("wa"),
                        storage(link.port(), local) + "\nprometheus_port: " + prometheus)) {
            String id = livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("") + "\", \"audio_only\": true,"
                    + " \"file_outputs\": [{\"filepath\": \"cut/audio.ogg\"}]}").getEgressId();
            await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            Thread.sleep(4000);
            ProcessHandle handler = busyHandler(worker);
            // the storage stops reading: the upload that starts at the stop hangs half way
            link.stall();
            livekit.stop(id);
            Path journal = local.resolve("upload-journal").resolve(id + ".json");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!(Files.exists(journal) && Files.readString(journal).contains("\"pending\""))) {
                assertThat(System.nanoTime()).as("upload started").isLessThan(deadline);
                Thread.sleep(100);
            }
            Thread.sleep(500);
            handler.destroyForcibly();
            handler.onExit().get();
            link.resume();

            EgressInfo failed = await(id, i -> i.getStatus() == EgressStatus.EGRESS_FAILED,
                    Duration.ofSeconds(30));
            assertThat(failed.getErrorCode()).isEqualTo(500);
            // the worker finishes the upload from the journal the handler left
            awaitObject("cut/audio.ogg", Duration.ofSeconds(30));
            MediaProbe p = probe("cut/audio.ogg");
            assertThat(p.audio().orElseThrow().codec()).isEqualTo("opus");
            assertThat(p.duration()).isCloseTo(4.0, within(1.5));
            worker.awaitLog("recovered upload of cut/audio.ogg: UPLOADED", 10_000);
            assertThat(Files.readString(local.resolve("upload-journal").resolve(id + ".recovered.json")))
                    .contains("\"state\" : \"uploaded\"");
            // the recovered upload is counted like any other, in upstream's names
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + prometheus + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("livekit_egress_pipeline_uploads\\{[^}]*custom_endpoint=\"true\""
                    + "[^}]*status=\"success\"[^}]*type=\"audio/ogg\"[^}]*} 1")
                    .contains("# TYPE livekit_egress_pipline_upload_response_time_ms histogram");
        }
    }

    @Test
    void aWorkerAndHandlerKilledMidRecordingUploadTheCrashSafeFileAtRestart() throws Exception {
        Path local = dir.resolve("journal-b");
        String id;
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("wb1"),
                storage(URI.create(s3.endpoint()).getPort(), local))) {
            id = livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("") + "\", "
                    + "\"file_outputs\": [{\"filepath\": \"crash/video.mp4\"}]}").getEgressId();
            await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            Thread.sleep(5000);
            // the whole container goes: worker and handlers at once, nobody finalises or uploads anything
            List<ProcessHandle> all = new java.util.ArrayList<>(handlers(worker));
            List<String> kill = new java.util.ArrayList<>(List.of("kill", "-KILL", Long.toString(worker.pid())));
            all.forEach(p -> kill.add(Long.toString(p.pid())));
            new ProcessBuilder(kill).inheritIO().start().waitFor();
            for (ProcessHandle h : all) {
                h.onExit().get();
            }
            assertThat(worker.awaitExit(10_000)).isTrue();
        }
        assertThat(s3.keys("bucket")).doesNotContain("crash/video.mp4");
        assertThat(Files.readString(local.resolve("upload-journal").resolve(id + ".json"))).contains("\"recording\"");

        try (WorkerFixture again = WorkerFixture.start(REDIS, livekit, dir.resolve("wb2"),
                storage(URI.create(s3.endpoint()).getPort(), local))) {
            awaitObject("crash/video.mp4", Duration.ofSeconds(30));
            MediaProbe p = probe("crash/video.mp4");
            assertThat(p.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(p.duration()).isGreaterThan(3.0);
            again.awaitLog("recovered upload of crash/video.mp4: UPLOADED", 10_000);
        }
    }
}
