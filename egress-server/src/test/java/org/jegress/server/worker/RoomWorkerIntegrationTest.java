package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.function.Predicate;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.sources.room.harness.TestNamespace;
import org.jegress.sources.room.harness.TestPublisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Track and participant egress end to end, as {@code lk egress start --type track|participant} runs them: an
 * unmodified livekit-server v1.13.5 on Redis hands the request to the worker, whose handler joins the room as a hidden
 * recorder. Everything runs in the test's network namespace (WebRTC needs its veth pair).
 */
@Tag("livekit")
class RoomWorkerIntegrationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @TempDir
    static Path dir;
    static LiveKitServer livekit;
    static TestNamespace ns;
    static Path sockets;

    @BeforeAll
    static void start() throws Exception {
        ns = TestNamespace.required();
        livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp());
        WorkerIntegrationTest.livekit = livekit;
        sockets = Files.createTempDirectory("jeg-w");
    }

    @AfterAll
    static void stop() {
        if (livekit != null) {
            livekit.close();
        }
    }

    private static TestPublisher publisher(String room, String identity) throws Exception {
        Path node = Paths.get(System.getProperty("jegress.test.node", "../egress-sources/room/src/test/node"));
        return TestPublisher.start(ns, livekit.wsUrl(), LiveKitServer.participantToken(room, identity), node,
                sockets, dir.resolve("publisher-" + room + "-" + identity + ".log"), identity);
    }

    /** Admission on this 2-core box: room egresses are cheap. */
    private static final String COSTS = String.join("\n",
            "  track_cpu_cost: 0.25",
            "  participant_cpu_cost: 0.5",
            "  track_composite_cpu_cost: 0.5");

    @Test
    void startTrackEgressRecordsTheTrackAsItIs() throws Exception {
        String room = "worker-track";
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("track"), COSTS);
                TestPublisher alice = publisher(room, "alice")) {
            String sid = alice.publishTone("mic", 440);
            worker.awaitLog("spare handler warmed up", 30_000); // steady state: a warm handler waits

            long t0 = System.nanoTime();
            EgressInfo started = livekit.egress("StartTrackEgress", "{\"room_name\": \"" + room
                    + "\", \"track_id\": \"" + sid + "\", \"file\": {\"filepath\": \"tracks/{track_id}\"}}");
            String id = started.getEgressId();
            assertThat(started.getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
            assertThat(started.getTrack().getTrackId()).isEqualTo(sid);

            EgressInfo active = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(20));
            double toActive = (System.nanoTime() - t0) / 1e9;
            System.out.printf("StartTrackEgress -> ACTIVE in ListEgress: %.2f s%n", toActive);
            assertThat(active.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_SDK);
            assertThat(active.getFileResults(0).getFilename()).isEqualTo("tracks/" + sid + ".ogg");

            Thread.sleep(4000);
            assertThat(livekit.stop(id).getStatus()).isEqualTo(EgressStatus.EGRESS_ENDING);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));

            assertThat(done.getDetails()).isEqualTo("End reason: StopEgress API");
            assertThat(done.getFile().getFilename()).isEqualTo("tracks/" + sid + ".ogg");
            Path ogg = Path.of(done.getFileResults(0).getLocation());
            assertThat(ogg).isEqualTo(worker.dir().resolve("tracks/" + sid + ".ogg"));
            MediaProbe probe = MediaProbe.of(ogg);
            assertThat(probe.audio().orElseThrow().codec()).isEqualTo("opus");
            assertThat(probe.duration()).isCloseTo(done.getFileResults(0).getDuration() / 1e9, within(1.0));

            assertThat(worker.log()).as("the handler's event stream stayed clean")
                    .noneMatch(l -> l.contains("handler events"));
            WorkerIntegrationTest.awaitWebhooks(id, 4);
            assertThat(livekit.webhookEvents(id)).containsExactly(
                    "egress_started:EGRESS_STARTING",
                    "egress_updated:EGRESS_ACTIVE",
                    "egress_updated:EGRESS_ENDING",
                    "egress_ended:EGRESS_COMPLETE");
        }
    }

    @Test
    void startParticipantEgressEndsWhenTheParticipantLeaves() throws Exception {
        String room = "worker-participant";
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("participant"), COSTS)) {
            TestPublisher bob = publisher(room, "bob");
            bob.publishAv("h264");

            EgressInfo started = livekit.egress("StartParticipantEgress", "{\"room_name\": \"" + room
                    + "\", \"identity\": \"bob\", \"file_outputs\": [{\"filepath\": \"p/{publisher_identity}\"}]}");
            String id = started.getEgressId();
            await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(20));
            Thread.sleep(4000);
            bob.disconnect();

            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            assertThat(done.getDetails()).isEqualTo("End reason: Source closed");
            assertThat(done.getFileResults(0).getFilename()).isEqualTo("p/bob.mp4");
            Path mp4 = Path.of(done.getFileResults(0).getLocation());
            MediaProbe probe = MediaProbe.of(mp4);
            assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");
            assertThat(probe.duration()).isCloseTo(done.getFileResults(0).getDuration() / 1e9, within(1.0));
            assertThat(worker.dir().resolve("p/" + id + ".json")).exists();
        }
    }

    @Test
    void unknownTrackOrParticipantEndsNotFoundAfterTheWait() throws Exception {
        // the 30 s wait is upstream's; this test only checks the request is accepted and then fails cleanly
        String room = "worker-missing";
        try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("missing"), COSTS);
                TestPublisher alice = publisher(room, "alice")) {
            EgressInfo started = livekit.egress("StartTrackEgress", "{\"room_name\": \"" + room
                    + "\", \"track_id\": \"TR_doesnotexist\", \"file\": {\"filepath\": \"x\"}}");
            EgressInfo startedP = livekit.egress("StartParticipantEgress", "{\"room_name\": \"" + room
                    + "\", \"identity\": \"nobody\", \"file_outputs\": [{\"filepath\": \"y\"}]}");
            EgressInfo failed = await(started.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_FAILED,
                    Duration.ofSeconds(45));
            assertThat(failed.getError()).isEqualTo("track TR_doesnotexist not found");
            assertThat(failed.getErrorCode()).isEqualTo(404);
            EgressInfo failedP = await(startedP.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_FAILED,
                    Duration.ofSeconds(15));
            assertThat(failedP.getError()).isEqualTo("participant nobody not found");
            assertThat(failedP.getErrorCode()).isEqualTo(404);
        }
    }

    private static EgressInfo await(String id, Predicate<EgressInfo> condition, Duration max)
            throws InterruptedException {
        return WorkerIntegrationTest.await(id, condition, max);
    }
}
