package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.sources.room.harness.TestNamespace;
import org.jegress.sources.room.harness.TestPublisher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Start latency through the whole drop-in path: livekit-server's {@code StartTrackEgress} (Twirp) → psrpc bid and
 * claim over Redis → the worker → its warm spare handler → hidden recorder in the room → first media in the file →
 * {@code UpdateEgress(ACTIVE)} → ACTIVE in livekit-server's {@code ListEgress} (polled every 20 ms).
 *
 * <p>The worker runs from the packaged {@code egress-server.jar} and {@code lib/} as operators run it (handlers get
 * class-data sharing). Egresses start one after another and keep running, each once the next spare has warmed up: the
 * first finds the worker idle, which bids 0.5, so livekit-server waits out its 500 ms short-circuit window for a
 * better bid (upstream's selection, kept for drop-in); the later ones find it busy, bidding 1.0, picked at once.
 *
 * <p>Run with {@code bench/track-egress/run.sh worker}; not part of the test suite.
 */
@Tag("bench")
class WorkerStartBench {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void startTrackEgressToActive() throws Exception {
        int count = Integer.getInteger("bench.worker.egresses", 6);
        TestNamespace ns = TestNamespace.current();
        assertThat(ns).as("inside a test network namespace (the bench surefire execution)").isNotNull();
        Path root = Paths.get(System.getProperty("jegress.root", "..")).toAbsolutePath().normalize();
        Path dir = root.resolve("egress-server/target/room-it/WorkerStartBench");
        Files.createDirectories(dir);
        Path jar = root.resolve("egress-server/target/egress-server.jar");
        assertThat(jar).as("packaged worker (mvn package)").exists();
        String classPath = jar + File.pathSeparator + root.resolve("egress-server/target/lib") + File.separator + "*";

        try (LiveKitServer livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp())) {
            WorkerIntegrationTest.livekit = livekit;
            Path sockets = Files.createTempDirectory("jeg-b");
            Path node = Paths.get(System.getProperty("jegress.test.node", "../egress-sources/room/src/test/node"));
            String room = "worker-bench";
            try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("worker"),
                    String.join("\n", "  track_cpu_cost: 0.1"), classPath);
                    TestPublisher alice = TestPublisher.start(ns, livekit.wsUrl(),
                            LiveKitServer.participantToken(room, "alice"), node, sockets,
                            dir.resolve("publisher.log"), "alice")) {
                String sid = alice.publishTone("mic", 440);
                List<String> ids = new ArrayList<>();
                List<Long> millis = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    awaitSpares(worker, i + 1);
                    long t0 = System.nanoTime();
                    EgressInfo started = livekit.egress("StartTrackEgress", "{\"room_name\": \"" + room
                            + "\", \"track_id\": \"" + sid + "\", \"file\": {\"filepath\": \"bench/" + i + "-{track_id}\"}}");
                    long ms = awaitActive(livekit, started.getEgressId(), t0);
                    System.out.printf(Locale.ROOT, "egress %d (%s worker): StartTrackEgress -> ACTIVE %d ms%n", i + 1,
                            i == 0 ? "idle" : "busy", ms);
                    ids.add(started.getEgressId());
                    millis.add(ms);
                }
                for (String id : ids) {
                    livekit.stop(id);
                }
                for (String id : ids) {
                    EgressInfo done = WorkerIntegrationTest.await(id,
                            x -> x.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
                    MediaProbe p = MediaProbe.of(worker.dir().resolve(done.getFile().getFilename()));
                    assertThat(p.audio().orElseThrow().codec()).isEqualTo("opus");
                }
                List<Long> busy = millis.subList(1, millis.size()).stream().sorted().toList();
                String line = String.format(Locale.ROOT,
                        "request -> ACTIVE through livekit-server: idle worker %d ms; busy worker p50 %d ms, max %d ms",
                        millis.get(0), busy.isEmpty() ? 0 : busy.get(busy.size() / 2),
                        busy.isEmpty() ? 0 : busy.get(busy.size() - 1));
                System.out.println(line);
                Files.writeString(dir.resolve("worker-start-bench.txt"), line + "\n");
            }
        }
    }

    /** Waits until {@code n} spare handlers have warmed up, i.e. one is waiting for the next egress. */
    private static void awaitSpares(WorkerFixture worker, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (worker.log().stream().filter(l -> l.contains("spare handler warmed up")).count() < n) {
            assertThat(System.currentTimeMillis()).as("spare handler %d warmed up", n).isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(500); // and idle again
    }

    private static long awaitActive(LiveKitServer livekit, String id, long t0) throws InterruptedException {
        long deadline = t0 + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            EgressInfo i = livekit.get(id);
            if (i.getStatus() == EgressStatus.EGRESS_ACTIVE) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            assertThat(i.getStatus()).isIn(EgressStatus.EGRESS_STARTING, EgressStatus.EGRESS_ACTIVE);
            Thread.sleep(20);
        }
        throw new AssertionError("not ACTIVE within 20 s: " + livekit.get(id));
    }
}
