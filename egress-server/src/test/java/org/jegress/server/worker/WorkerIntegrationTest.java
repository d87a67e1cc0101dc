package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.RtmpServer;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.server.web.LeftoverProcesses;
import org.jegress.server.web.TestPages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker driven by an unmodified livekit-server v1.13.5 over Redis, through its Twirp Egress API, exactly as
 * {@code lk egress} drives it.
 */
@Tag("livekit")
class WorkerIntegrationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    static Path dir;
    static LiveKitServer livekit;
    static TestPages pages;

    @BeforeAll
    static void start() throws Exception {
        livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir);
        pages = new TestPages();
    }

    @AfterAll
    static void stop() {
        if (pages != null) {
            pages.close();
        }
        if (livekit != null) {
            livekit.close();
        }
    }

    @Test
    void webEgressThroughLivekitServer() throws Exception {
        int debugPort = org.jegress.testsuite.servers.Ports.freeTcp();
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("w1"),
                "debug_handler_port: " + debugPort)) {
            EgressInfo started = livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("")
                    + "\", \"file_outputs\": [{\"filepath\": \"web-{time}.mp4\"}]}");
            String id = started.getEgressId();
            assertThat(started.getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
            assertThat(id).startsWith("EG_");

            long t0 = System.nanoTime();
            EgressInfo active = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            double toActive = (System.nanoTime() - t0) / 1e9;
            System.out.printf("StartWebEgress -> ACTIVE in ListEgress: %.2f s%n", toActive);
            assertThat(toActive).as("ACTIVE within 5 s").isLessThan(5.0);
            assertThat(active.getWeb().getUrl()).isEqualTo(pages.demo(""));

            // the running pipeline, on demand, as the debug port shows it
            String dot = httpGet(debugPort, "/gst_pipeline/" + id);
            assertThat(dot).startsWith("digraph");
            assertThat(dot.toLowerCase(java.util.Locale.ROOT)).contains("ximagesrc").contains("x264enc");
            Thread.sleep(3000);
            long stopAt = System.nanoTime();
            EgressInfo stopping = livekit.stop(id);
            assertThat(stopping.getStatus()).isEqualTo(EgressStatus.EGRESS_ENDING);
            double recorded = (stopAt - t0) / 1e9 - toActive;

            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            assertThat(done.getFileResultsCount()).isEqualTo(1);
            assertThat(done.getFileResults(0).getSize()).isPositive();
            assertThat(done.getFileResults(0).getDuration() / 1e9).isCloseTo(recorded, within(1.5));
            assertThat(done.getEndedAt()).isPositive();
            assertThat(done.getDetails()).isEqualTo("End reason: StopEgress API");
            Path mp4 = Path.of(done.getFileResults(0).getLocation());
            assertThat(mp4.getParent()).isEqualTo(worker.dir());
            assertThat(MediaProbe.of(mp4).video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(worker.dir().resolve(id + ".json")).exists();

            awaitWebhooks(id, 4);
            assertThat(livekit.webhookEvents(id)).containsExactly(
                    "egress_started:EGRESS_STARTING",
                    "egress_updated:EGRESS_ACTIVE",
                    "egress_updated:EGRESS_ENDING",
                    "egress_ended:EGRESS_COMPLETE");
        }
    }

    @Test
    void unifiedStartEgressWithWebSource() throws Exception {
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("w2"), "")) {
            EgressInfo started = livekit.egress("StartEgress", "{\"web\": {\"url\": \"" + pages.demo("")
                    + "\", \"audio_only\": true}, \"outputs\": [{\"file\": {\"filepath\": \"v2/{time}\"}}]}");
            String id = started.getEgressId();
            assertThat(started.getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
            assertThat(started.hasEgress()).as("EgressInfo echoes the v2 request (field 29)").isTrue();
            assertThat(started.getEgress().getWeb().getAudioOnly()).isTrue();

            await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            Thread.sleep(2000);
            assertThat(livekit.stop(id).getStatus()).isEqualTo(EgressStatus.EGRESS_ENDING);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            assertThat(done.hasEgress()).isTrue();
            Path ogg = Path.of(done.getFileResults(0).getLocation());
            assertThat(ogg.toString()).endsWith(".ogg");
            assertThat(MediaProbe.of(ogg).audio().orElseThrow().codec()).isEqualTo("opus");
        }
    }

    @Test
    void withoutAWorkerLivekitServerAnswersNoResponse() {
        assertThatThrownBy(() -> livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("")
                + "\", \"file_outputs\": [{\"filepath\": \"x.mp4\"}]}"))
                .hasMessageContaining("no response from servers");
        assertThat(livekit.list(true)).isEmpty();
        assertThat(LeftoverProcesses.find(dir.toString())).isEmpty();
    }

    @Test
    void aWorkerNeverClaimsWhatItCannotRun() throws Exception {
        // this worker's build has no OSS uploader: it must leave an OSS upload to another worker (here none), not
        // claim it and fail it
        String withoutOss = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.contains("egress-storage/oss") && !e.contains("egress-storage-oss")
                        && !e.contains("aliyun-sdk-oss"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("no-oss"), "", withoutOss)) {
            assertThatThrownBy(() -> livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("")
                    + "\", \"file_outputs\": [{\"filepath\": \"x.mp4\", \"aliOSS\": {\"access_key\": \"k\", "
                    + "\"secret\": \"s\", \"endpoint\": \"http://127.0.0.1:9\", \"bucket\": \"b\"}}]}"))
                    .hasMessageContaining("no response from servers");
            assertThat(worker.log()).anyMatch(l -> l.contains("no bid: alioss upload is not yet supported"));
            assertThat(livekit.list(true)).isEmpty();
        }
    }

    @Test
    void invalidRequestIsRefusedWithTheUpstreamMessage() throws Exception {
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("w3"), "")) {
            assertThatThrownBy(() -> livekit.egress("StartWebEgress", "{\"url\": \"file:///etc/passwd\", "
                    + "\"file_outputs\": [{\"filepath\": \"x.mp4\"}]}"))
                    .isInstanceOf(LiveKitServer.TwirpException.class)
                    .hasMessageContaining("request has missing or invalid field: web url");
        }
    }

    @Test
    void twoWorkersPackWorkDrainAndSurviveEachOther() throws Exception {
        int h1 = freePort();
        int h2 = freePort();
        // Both workers measure the same two cores: a browser's burst between the test's look at the busy worker's
        // room and its bid made it bid nothing once in CI (the other won). The whole machine is theirs here.
        String room = "  max_cpu_utilization: 1.0\nhealth_port: ";
        try (WorkerFixture w1 = WorkerFixture.start(REDIS, livekit, dir.resolve("pack1"), room + h1);
                WorkerFixture w2 = WorkerFixture.start(REDIS, livekit, dir.resolve("pack2"), room + h2)) {
            String a = startAudioWeb("a");
            await(a, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            int first = runsOn(a, h1, h2);
            // A busy worker that still has room bids 1.0 and wins at once: work is packed, not spread. ("Room" is
            // measured: wait until Chromium's start-up burst on this 2-core box is over.)
            awaitAvailableCpu(first, 0.5);
            String b = startAudioWeb("b");
            await(b, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            assertThat(runsOn(b, h1, h2)).isEqualTo(first);

            // A draining worker takes no new work but finishes what it runs.
            WorkerFixture busy = first == h1 ? w1 : w2;
            WorkerFixture other = first == h1 ? w2 : w1;
            int otherHealth = first == h1 ? h2 : h1;
            busy.signal("TERM");
            busy.awaitLog("draining", 10_000);
            String c = startAudioWeb("c");
            await(c, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            assertThat(runsOn(c, h1, h2)).isEqualTo(otherHealth);
            assertThat(livekit.get(a).getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);

            livekit.stop(a);
            livekit.stop(b);
            await(a, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            await(b, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            assertThat(busy.awaitExit(30_000)).as("drained worker exits").isTrue();
            assertThat(busy.process().exitValue()).isZero();

            // A worker killed mid-recording: its egress ends FAILED, its file is finalised and kept.
            other.signal("KILL");
            EgressInfo failed = await(c, i -> i.getStatus() == EgressStatus.EGRESS_FAILED, Duration.ofSeconds(45));
            assertThat(failed.getError()).isEqualTo("egress worker exited unexpectedly");
            assertThat(failed.getErrorCode()).isEqualTo(500);
            Path ogg = Path.of(failed.getFileResults(0).getLocation());
            assertThat(MediaProbe.of(ogg).audio().orElseThrow().codec()).isEqualTo("opus");
            assertThat(LeftoverProcesses.awaitGone(other.dir().toString(), 10_000)).isEmpty();
        }
    }

    /**
     * Upstream's stream flow through livekit-server: StartWebEgress with [good, bad] RTMP URLs, UpdateStream adding
     * one and removing the first, StopEgress; what the receiver recorded decodes. UpdateStream errors come back as
     * Twirp errors with the upstream messages.
     */
    @Test
    void streamsAndUpdateStreamThroughLivekitServer() throws Exception {
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("streams"), "");
                RtmpServer rtmp = RtmpServer.start(dir.resolve("nginx"))) {
            String bad = "rtmp://127.0.0.1:" + org.jegress.testsuite.servers.Ports.freeTcp() + "/wrong/key";
            String id = livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("") + "\", "
                    + "\"preset\": \"H264_720P_30\", \"stream_outputs\": [{\"urls\": [\"" + rtmp.url("good1")
                    + "\", \"" + bad + "\"]}]}").getEgressId();
            EgressInfo running = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE
                    && i.getStreamResultsCount() == 2 && i.getStreamResults(0).getStartedAt() > 0
                    && i.getStreamResults(1).getStatus() == StreamInfo.Status.FAILED, Duration.ofSeconds(30));
            assertThat(running.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.ACTIVE);

            EgressInfo added = livekit.egress("UpdateStream", "{\"egress_id\": \"" + id
                    + "\", \"add_output_urls\": [\"" + rtmp.url("good2") + "\"]}");
            assertThat(added.getStreamResultsCount()).isEqualTo(3);
            Thread.sleep(3000);
            EgressInfo removed = livekit.egress("UpdateStream", "{\"egress_id\": \"" + id
                    + "\", \"remove_output_urls\": [\"" + rtmp.url("good1") + "\"]}");
            assertThat(removed.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
            assertThatThrownBy(() -> livekit.egress("UpdateStream", "{\"egress_id\": \"" + id
                    + "\", \"remove_output_urls\": [\"" + rtmp.url("nope") + "\"]}"))
                    .hasMessageContaining("stream " + rtmp.url("nope") + " not found");
            Thread.sleep(2000);

            livekit.stop(id);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(45));
            assertThat(done.getStreamResultsList()).extracting(StreamInfo::getStatus).containsExactly(
                    StreamInfo.Status.FINISHED, StreamInfo.Status.FAILED, StreamInfo.Status.FINISHED);
            assertThat(MediaProbe.of(rtmp.recordings("good1").get(0)).video().orElseThrow().codec())
                    .isEqualTo("h264");
            assertThat(MediaProbe.of(rtmp.recordings("good2").get(0)).audio().orElseThrow().codec())
                    .isEqualTo("aac");

            String file = startAudioWeb("nostream");
            await(file, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            assertThatThrownBy(() -> livekit.egress("UpdateStream", "{\"egress_id\": \"" + file
                    + "\", \"add_output_urls\": [\"" + rtmp.url("x") + "\"]}"))
                    .hasMessageContaining("UpdateStream called on non-streaming egress");
            livekit.stop(file);
            await(file, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(45));
        }
    }

    @Test
    void recordingSurvivesARedisRestart() throws Exception {
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("restart"), "")) {
            String id = startAudioWeb("restart");
            await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            REDIS.restart();
            Thread.sleep(3000);
            // livekit-server's own record was in the restarted Redis; the stop still reaches the worker.
            stopWithRetry(id);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(45));
            assertThat(done.getFileResults(0).getSize()).isPositive();
            assertThat(done.getFileResults(0).getDuration() / 1e9).isGreaterThan(3.0);
        }
    }

    @Test
    void healthAndPrometheusEndpointsAnswerInUpstreamShapes() throws Exception {
        int health = freePort();
        int prom = freePort();
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("endpoints"),
                "health_port: " + health + "\nprometheus_port: " + prom)) {
            String id = startAudioWeb("endpoints");
            await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));

            com.fasterxml.jackson.databind.JsonNode h = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(httpGet(health));
            assertThat(h.path("CpuLoad").isNumber()).isTrue();
            assertThat(h.has(id)).as("health lists the running egress: %s", h).isTrue();

            String metrics = httpGet(prom);
            java.util.Map<String, Double> samples = new java.util.HashMap<>();
            for (String line : metrics.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
            assertThat(metrics).contains("# TYPE livekit_egress_available gauge");
            assertThat(value(samples, "livekit_egress_available{")).isEqualTo(0.0);
            assertThat(samples.entrySet().stream().filter(e -> e.getKey().startsWith("livekit_egress_requests{")
                    && e.getKey().contains("type=\"web\"")).findFirst().orElseThrow().getValue()).isEqualTo(1.0);
            assertThat(samples.keySet()).anyMatch(k -> k.startsWith("livekit_egress_can_accept_request"));
            assertThat(samples.keySet()).anyMatch(k -> k.startsWith("livekit_egress_is_disabled"));
            assertThat(samples.keySet()).anyMatch(k -> k.startsWith("livekit_node_cpu_load")
                    && k.contains("node_type=\"EGRESS\""));
            livekit.stop(id);
            await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
        }
    }

    @Test
    void duplicateEgressIdIsRefusedAndSigintStopsEverythingCleanly() throws Exception {
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("dup"), "");
                org.jegress.server.psrpc.RedisBus bus = org.jegress.server.psrpc.RedisBus.connect(REDIS.uri());
                org.jegress.server.psrpc.PsrpcClient client =
                        new org.jegress.server.psrpc.PsrpcClient(bus, "EgressInternal")) {
            // livekit-server retries StartEgress with the same egress ID; the second attempt must not start twice.
            org.jegress.api.rpc.StartEgressRequest req = org.jegress.api.rpc.StartEgressRequest.newBuilder()
                    .setEgressId(org.jegress.api.plan.EgressIds.newEgressId())
                    .setWeb(org.jegress.api.livekit.WebEgressRequest.newBuilder().setUrl(pages.demo(""))
                            .setAudioOnly(true).addFileOutputs(org.jegress.api.livekit.EncodedFileOutput
                                    .newBuilder().setFilepath("dup-{time}")))
                    .build();
            org.jegress.server.psrpc.CallOptions opts = org.jegress.server.psrpc.CallOptions
                    .withTimeoutOf(Duration.ofSeconds(10))
                    .withSelection(org.jegress.server.psrpc.CallOptions.Selection.START_EGRESS);
            long t0 = System.nanoTime();
            EgressInfo first = client.call(org.jegress.server.psrpc.Method.START_EGRESS, "", req, opts);
            System.out.printf("StartEgress answered in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            assertThat(first.getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
            assertThatThrownBy(() -> client.call(org.jegress.server.psrpc.Method.START_EGRESS, "", req, opts))
                    .isInstanceOfSatisfying(org.jegress.server.psrpc.PsrpcException.class,
                            e -> assertThat(e.code()).isEqualTo(org.jegress.api.error.ErrorCode.ALREADY_EXISTS))
                    .hasMessage("egress already exists");

            await(req.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(15));
            worker.signal("INT");
            assertThat(worker.awaitExit(60_000)).isTrue();
            EgressInfo done = await(req.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE,
                    Duration.ofSeconds(10));
            assertThat(done.getDetails()).isEqualTo("End reason: Process killed");
            assertThat(MediaProbe.of(Path.of(done.getFileResults(0).getLocation())).audio()).isPresent();
            assertThat(LeftoverProcesses.awaitGone(worker.dir().toString(), 10_000)).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** First sample whose series starts with {@code prefix}, e.g. {@code livekit_egress_available{}. */
    private static double value(java.util.Map<String, Double> samples, String prefix) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + samples.keySet())).getValue();
    }

    private static String startAudioWeb(String name) {
        return livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("") + "\", \"audio_only\": true, "
                + "\"file_outputs\": [{\"filepath\": \"" + name + "-{time}\"}]}").getEgressId();
    }

    /** Which worker (by health port) runs the egress, judged by the workers' health endpoints. */
    private static int runsOn(String egressId, int... healthPorts) throws Exception {
        for (int port : healthPorts) {
            if (new com.fasterxml.jackson.databind.ObjectMapper().readTree(httpGet(port)).has(egressId)) {
                return port;
            }
        }
        throw new AssertionError(egressId + " runs on no worker");
    }

    /** Waits until the worker on {@code healthPort} reports at least {@code cores} available ("CpuLoad"). */
    private static void awaitAvailableCpu(int healthPort, double cores) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            double available = new com.fasterxml.jackson.databind.ObjectMapper().readTree(httpGet(healthPort))
                    .path("CpuLoad").asDouble();
            if (available >= cores) {
                return;
            }
            Thread.sleep(250);
        }
    }

    private static String httpGet(int port) throws Exception {
        return httpGet(port, "/");
    }

    private static String httpGet(int port, String path) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static void stopWithRetry(String id) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                livekit.stop(id);
                return;
            } catch (RuntimeException e) {
                if (i > 20) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static EgressInfo await(String id, Predicate<EgressInfo> condition, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        EgressInfo last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = livekit.get(id);
            } catch (RuntimeException e) {
                // after a Redis restart livekit-server knows the egress again only from the worker's next update
                if (!String.valueOf(e.getMessage()).contains("not_found")) {
                    throw e;
                }
                Thread.sleep(100);
                continue;
            }
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within " + max + "; last: " + last);
    }

    static void awaitWebhooks(String id, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (livekit.webhookEvents(id).size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }
}
