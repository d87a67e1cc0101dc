package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.media.MediaProbe;
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
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("w1"), "")) {
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

            Thread.sleep(4000);
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
    void invalidRequestIsRefusedWithTheUpstreamMessage() throws Exception {
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("w3"), "")) {
            assertThatThrownBy(() -> livekit.egress("StartWebEgress", "{\"url\": \"file:///etc/passwd\", "
                    + "\"file_outputs\": [{\"filepath\": \"x.mp4\"}]}"))
                    .isInstanceOf(LiveKitServer.TwirpException.class)
                    .hasMessageContaining("request has missing or invalid field: web url");
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    static EgressInfo await(String id, Predicate<EgressInfo> condition, Duration max) throws InterruptedException {
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

    static void awaitWebhooks(String id, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (livekit.webhookEvents(id).size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }
}
