package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.server.stats.ProcessTree;
import org.jegress.sources.room.harness.TestNamespace;
import org.jegress.sources.room.harness.TestPublisher;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.Ports;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a room composite costs and how fast it starts, through the drop-in path, drawn by Chromium and by the native
 * renderer in alternate rounds: three {@code @livekit/rtc-node} publishers (a VP8 camera of one colour, 1280x720 by
 * default, and an Opus tone each) in a room, {@code StartRoomCompositeEgress} (grid, default preset: 1280x720 at
 * 30 fps, H.264 + AAC to MP4) on livekit-server's API → the worker's warm handler → Chromium on the built-in template,
 * or GStreamer's compositor → ACTIVE in {@code ListEgress} (polled every 20 ms). Then the CPU of the worker's whole
 * process tree (handler JVM with GStreamer, Chromium, Xvfb, PulseAudio; the idle worker and its spare handler measured
 * before and subtracted) over a steady window, per recorded second.
 *
 * <p>Run with {@code bench/room-composite/run.sh}; not part of the test suite.
 */
@Tag("bench")
class RoomCompositeBench {

    private static final String SPARE_READY = "spare handler warmed up";

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void threeParticipantComposite() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 3);
        long window = Long.getLong("bench.window.seconds", 20);
        TestNamespace ns = TestNamespace.current();
        assertThat(ns).as("inside a test network namespace (the bench surefire execution)").isNotNull();
        Path root = Paths.get(System.getProperty("jegress.root", "..")).toAbsolutePath().normalize();
        Path dir = root.resolve("egress-server/target/room-it/RoomCompositeBench");
        Files.createDirectories(dir);
        List<String> renderers = List.of(System.getProperty("bench.renderers", "chrome,native").split(","));
        String[] size = System.getProperty("bench.publisher", "1280x720").split("x");
        int pw = Integer.parseInt(size[0]);
        int ph = Integer.parseInt(size[1]);
        boolean simulcast = Boolean.parseBoolean(System.getProperty("bench.simulcast", "true"));
        int fps = Integer.getInteger("bench.publisher.fps", 15);
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "publishers: 3 × %dx%d VP8 at %d fps%s; idle_affinity %s%n%n", pw, ph, simulcast ? fps : 15,
                simulcast ? ", simulcast" : "", System.getProperty("bench.idle.affinity", "0.5"))
                + "| round | renderer | StartRoomCompositeEgress → ACTIVE ms | composite cores (CPU s per recorded s) | "
                + "composite RSS MB | file s |\n|---|---|---|---|---|---|\n");
        try (LiveKitServer livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp())) {
            WorkerIntegrationTest.livekit = livekit;
            Path sockets = Files.createTempDirectory("jeg-rcb");
            Path node = Paths.get(System.getProperty("jegress.test.node", "../egress-sources/room/src/test/node"));
            String room = "composite-bench";
            List<TestPublisher> publishers = new ArrayList<>();
            // idle_affinity 0.5 (upstream's rule) costs an idle worker livekit-server's 0.5 s selection window
            try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("worker"), String.join("\n",
                    "  room_composite_cpu_cost: 0.5", "  native_room_composite_cpu_cost: 0.3",
                    "template_port: " + Ports.freeTcp(),
                    "idle_affinity: " + System.getProperty("bench.idle.affinity", "0.5")))) {
                int[][] colours = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
                for (int i = 0; i < 3; i++) {
                    TestPublisher p = TestPublisher.start(ns, livekit.wsUrl(),
                            LiveKitServer.participantToken(room, "p" + i), node, sockets,
                            dir.resolve("publisher-" + i + ".log"), "p" + i);
                    publishers.add(p);
                    if (simulcast) {
                        p.publishSimulcastCamera("cam", "vp8", pw, ph, fps, colours[i][0], colours[i][1],
                                colours[i][2]);
                    } else {
                        p.publishCamera("cam", "vp8", pw, ph, colours[i][0], colours[i][1], colours[i][2]);
                    }
                    p.publishTone("mic", 350 + 200 * i);
                }
                ProcessTree tree = new ProcessTree(worker.pid());
                for (int r = 1; r <= rounds * renderers.size(); r++) {
                    String renderer = renderers.get((r - 1) % renderers.size());
                    worker.awaitLog(SPARE_READY, 60_000);
                    Thread.sleep(3000);
                    tree.sample();
                    Thread.sleep(5000);
                    double idle = tree.sample().cpuCores();
                    long idleRss = tree.sample().rssBytes();

                    long spares = worker.logCount(SPARE_READY);
                    long t0 = System.nanoTime();
                    EgressInfo started = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                            + "\", \"layout\": \"" + renderer + ":grid\", \"file_outputs\": [{\"filepath\": \"bench/" + r
                            + "\"}]}");
                    String id = started.getEgressId();
                    long ms = awaitActive(livekit, id, t0);
                    // the egress took the spare: its replacement (a JVM, and Xvfb + PulseAudio + Chromium) starting is
                    // the worker's cost, not the composite's; measure after it
                    worker.awaitLogCount(SPARE_READY, spares, 60_000);
                    Thread.sleep(3000);
                    tree.sample();
                    Thread.sleep(window * 1000);
                    ProcessTree.Usage u = tree.sample();
                    livekit.stop(id);
                    EgressInfo done = WorkerIntegrationTest.await(id,
                            i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, java.time.Duration.ofSeconds(60));
                    double seconds = MediaProbe.of(Path.of(done.getFileResults(0).getLocation())).duration();
                    String line = String.format(Locale.ROOT, "| %d | %s | %d | %.2f | %d | %.1f |%n", r, renderer, ms,
                            u.cpuCores() - idle, (u.rssBytes() - idleRss) / 1_000_000, seconds);
                    System.out.print(line);
                    report.append(line);
                    worker.awaitLog(SPARE_READY, 60_000);
                }
                int concurrent = Integer.getInteger("bench.concurrent", 0);
                if (concurrent > 0) {
                    report.append(concurrently(livekit, worker, tree, room, concurrent, window));
                }
            } finally {
                for (TestPublisher p : publishers) {
                    p.close();
                }
            }
        }
        Files.writeString(root.resolve("egress-server/target/room-composite-bench.md"), report.toString());
        System.out.println(report);
    }

    /**
     * {@code n} native composites of the one room at once, started one after another: the worker tree's CPU over the
     * window against the idle worker's, in all and per composite. The publishers run on the same machine (the figure
     * to read is per composite; what fits on a machine of its own is its cores over that).
     */
    private static String concurrently(LiveKitServer livekit, WorkerFixture worker, ProcessTree tree, String room,
            int n, long window) throws Exception {
        worker.awaitLog(SPARE_READY, 60_000);
        Thread.sleep(3000);
        tree.sample();
        Thread.sleep(5000);
        double idle = tree.sample().cpuCores();
        List<String> ids = new ArrayList<>();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%n| native composites started | still active after the window | worker tree cores above idle | "
                        + "per active composite | start ms |%n|---|---|---|---|---|%n"));
        for (int i = 1; i <= n; i++) {
            long spares = worker.logCount(SPARE_READY);
            long t0 = System.nanoTime();
            String id = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"layout\": \"native:grid\", \"file_outputs\": [{\"filepath\": \"bench/many-" + i
                    + "\"}]}").getEgressId();
            ids.add(id);
            long ms = awaitActive(livekit, id, t0);
            worker.awaitLogCount(SPARE_READY, spares, 60_000);
            Thread.sleep(3000);
            tree.sample();
            Thread.sleep(window * 1000);
            double cores = tree.sample().cpuCores() - idle;
            long active = ids.stream().filter(e -> {
                try {
                    return livekit.get(e).getStatus() == EgressStatus.EGRESS_ACTIVE;
                } catch (Exception x) {
                    return false;
                }
            }).count();
            String line = String.format(Locale.ROOT, "| %d | %d | %.2f | %.2f | %d |%n", i, active, cores,
                    cores / Math.max(1, active), ms);
            System.out.print(line);
            out.append(line);
        }
        for (String id : ids) {
            if (livekit.get(id).getStatus() == EgressStatus.EGRESS_ACTIVE) {
                livekit.stop(id); // the others the worker's overload policy stopped already
            }
        }
        for (String id : ids) {
            EgressInfo done = WorkerIntegrationTest.await(id, e -> e.getStatus() == EgressStatus.EGRESS_COMPLETE,
                    java.time.Duration.ofSeconds(60));
            assertThat(MediaProbe.of(Path.of(done.getFileResults(0).getLocation())).duration()).isGreaterThan(1.0);
        }
        return out.toString();
    }

    private static long awaitActive(LiveKitServer livekit, String id, long t0) throws InterruptedException {
        long deadline = t0 + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (livekit.get(id).getStatus() == EgressStatus.EGRESS_ACTIVE) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("egress " + id + " never became ACTIVE");
    }
}
