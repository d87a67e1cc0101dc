package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.server.web.TestPages;
import org.jegress.sources.room.harness.TestNamespace;
import org.jegress.sources.room.harness.TestPublisher;
import org.jegress.testsuite.media.MediaProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Worker mode at density, as an operator runs it: the worker from the packaged {@code egress-server.jar} and
 * {@code lib/}, livekit-server v1.13.5 on Redis, one rtc-node publisher's Opus tone, and N passthrough track egresses
 * of it started one after another through {@code StartTrackEgress} (each awaited ACTIVE in {@code ListEgress}).
 *
 * <p>Per step: CPU of the worker and every process under it (handlers, the spare and its warm browser) over a window,
 * their summed PSS ({@code /proc/<pid>/smaps_rollup}), start p50 / p95 of that step's egresses; at the end every
 * egress is stopped and every file decoded. {@link #webEgressStartOnABusyWorker} measures web egress starts (default
 * size, so the warm browser is used) on a worker that is already recording.
 *
 * <p>Run with {@code bench/track-egress/run.sh density} / {@code web}; not part of the test suite.
 */
@Tag("bench")
class WorkerDensityBench {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long TICKS = 100; // USER_HZ

    @Test
    void passthroughTrackEgressesThroughTheWorker() throws Exception {
        int[] steps = Arrays.stream(System.getProperty("bench.steps", "1,10,25,50,100,150").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int window = Integer.getInteger("bench.window.seconds", 10);
        int settle = Integer.getInteger("bench.settle.seconds", 10);
        String capacity = System.getProperty("bench.capacity", "50");
        TestNamespace ns = TestNamespace.required();
        Path dir = WorkerFixture.freshDir("WorkerDensityBench");
        try (LiveKitServer livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp())) {
            WorkerIntegrationTest.livekit = livekit;
            String room = "density";
            try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("worker"), String.join("\n",
                    "  track_cpu_cost: 0.005",
                    "shared_handler_capacity: " + capacity), packagedClassPath());
                    TestPublisher alice = TestPublisher.start(ns, livekit.wsUrl(),
                            LiveKitServer.participantToken(room, "alice"), node(), Files.createTempDirectory("jeg-d"),
                            dir.resolve("publisher.log"), "alice")) {
                String sid = alice.publishTone("mic", 440);
                worker.awaitLog("warm browser ready", 60_000);
                Thread.sleep(3000);
                StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                        "shared_handler_capacity %s, window %d s%n%n| egresses | processes | worker tree cores | "
                                + "%% of 2 cores | PSS MB | PSS MB / egress beyond the first | start p50 ms | "
                                + "start p95 ms | livekit-server cores |%n|---|---|---|---|---|---|---|---|---|%n",
                        capacity, window));
                Sample idle = Sample.take(worker.pid(), livekitPid(), window);
                table.append(idle.row("idle", Double.NaN, List.of()));
                System.out.print(table);
                List<String> ids = new ArrayList<>();
                double pssAtOne = Double.NaN;
                for (int step : steps) {
                    List<Long> starts = new ArrayList<>();
                    while (ids.size() < step) {
                        long t0 = System.nanoTime();
                        EgressInfo started = livekit.egress("StartTrackEgress", "{\"room_name\": \"" + room
                                + "\", \"track_id\": \"" + sid + "\", \"file\": {\"filepath\": \"d/" + ids.size()
                                + "\"}}");
                        starts.add(awaitActive(livekit, started.getEgressId(), t0));
                        ids.add(started.getEgressId());
                    }
                    Thread.sleep(settle * 1000L); // the starts' own work (and a new handler's JIT) settles
                    Sample s = Sample.take(worker.pid(), livekitPid(), window);
                    if (step == 1) {
                        pssAtOne = s.pssMb;
                    }
                    String row = s.row(Integer.toString(step),
                            step > 1 ? (s.pssMb - pssAtOne) / (step - 1) : Double.NaN, starts);
                    System.out.print(row);
                    table.append(row);
                    if (s.cores > 1.6) {
                        break;
                    }
                }
                long t0 = System.nanoTime();
                Map<String, Integer> endedEarly = new java.util.TreeMap<>();
                for (String id : ids) {
                    EgressInfo now = livekit.get(id);
                    if (now.getStatus() == EgressStatus.EGRESS_ACTIVE) {
                        livekit.stop(id);
                    } else {
                        // e.g. the overload policy stopped it ("CPU exhausted") once the host's CPU ran out
                        endedEarly.merge(now.getStatus() + " " + now.getDetails() + " " + now.getError(), 1,
                                Integer::sum);
                    }
                }
                int decoded = 0;
                for (String id : ids) {
                    EgressInfo done = WorkerIntegrationTest.await(id,
                            x -> x.getStatus() == EgressStatus.EGRESS_COMPLETE
                                    || x.getStatus() == EgressStatus.EGRESS_FAILED, Duration.ofSeconds(60));
                    MediaProbe p = MediaProbe.of(worker.dir().resolve(done.getFile().getFilename()));
                    assertThat(p.audio().orElseThrow().codec()).isEqualTo("opus");
                    assertThat(p.duration()).isGreaterThan(1.0);
                    decoded++;
                }
                table.append(String.format(Locale.ROOT, "%nstopped %d egresses in %.1f s; ended before the stop: %s;"
                        + " %d of %d files decode (Opus)%n", ids.size(), (System.nanoTime() - t0) / 1e9,
                        endedEarly.isEmpty() ? "none" : endedEarly, decoded, ids.size()));

                // the idle worker again (its handlers' class-data archive now recorded, as on any worker that ran
                // an egress before): one egress at a time, each stopped before the next
                List<Long> idleStarts = new ArrayList<>();
                for (int i = 0; i < IDLE_STARTS; i++) {
                    awaitIdle(worker, livekit);
                    long s0 = System.nanoTime();
                    EgressInfo started = livekit.egress("StartTrackEgress", "{\"room_name\": \"" + room
                            + "\", \"track_id\": \"" + sid + "\", \"file\": {\"filepath\": \"idle/" + i + "\"}}");
                    idleStarts.add(awaitActive(livekit, started.getEgressId(), s0));
                    livekit.stop(started.getEgressId());
                    WorkerIntegrationTest.await(started.getEgressId(),
                            x -> x.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
                }
                table.append(String.format(Locale.ROOT, "idle worker (bid 0.5, livekit-server's 500 ms window), "
                        + "StartTrackEgress -> ACTIVE: %s ms%n", idleStarts));
                System.out.print(table);
                Files.writeString(dir.resolve("worker-density-bench.md"), table);
            }
        }
    }

    @Test
    void webEgressStartOnABusyWorker() throws Exception {
        int count = Integer.getInteger("bench.web.egresses", 5);
        TestNamespace ns = TestNamespace.required();
        Path dir = WorkerFixture.freshDir("WorkerWebStartBench");
        try (LiveKitServer livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp());
                TestPages pages = new TestPages()) {
            WorkerIntegrationTest.livekit = livekit;
            String room = "web-start";
            try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("worker"),
                    "  track_cpu_cost: 0.05", packagedClassPath());
                    TestPublisher alice = TestPublisher.start(ns, livekit.wsUrl(),
                            LiveKitServer.participantToken(room, "alice"), node(), Files.createTempDirectory("jeg-d"),
                            dir.resolve("publisher.log"), "alice")) {
                String sid = alice.publishTone("mic", 440);
                worker.awaitLog("warm browser ready", 60_000);
                // busy: a track egress records throughout (in a shared handler; the spare stays for the web egress)
                EgressInfo track = livekit.egress("StartTrackEgress", "{\"room_name\": \"" + room
                        + "\", \"track_id\": \"" + sid + "\", \"file\": {\"filepath\": \"busy\"}}");
                awaitActive(livekit, track.getEgressId(), System.nanoTime());
                List<Long> millis = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    awaitWarmBrowsers(worker, i + 2);
                    long t0 = System.nanoTime();
                    EgressInfo web = livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("")
                            + "\", \"file_outputs\": [{\"filepath\": \"web-" + i + ".mp4\"}]}");
                    long ms = awaitActive(livekit, web.getEgressId(), t0);
                    System.out.printf(Locale.ROOT, "web egress %d (busy worker): StartWebEgress -> ACTIVE %d ms%n",
                            i + 1, ms);
                    millis.add(ms);
                    Thread.sleep(2000);
                    livekit.stop(web.getEgressId());
                    EgressInfo done = WorkerIntegrationTest.await(web.getEgressId(),
                            x -> x.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
                    MediaProbe p = MediaProbe.of(worker.dir().resolve(done.getFileResults(0).getFilename()));
                    assertThat(p.video().orElseThrow().width()).isEqualTo(1280);
                }
                livekit.stop(track.getEgressId());
                List<Long> sorted = millis.stream().sorted().toList();
                String line = String.format(Locale.ROOT, "StartWebEgress -> ACTIVE, busy worker, %d starts: p50 %d ms,"
                        + " p95 %d ms, max %d ms%n", sorted.size(), percentile(sorted, 50), percentile(sorted, 95),
                        sorted.get(sorted.size() - 1));
                System.out.print(line);
                Files.writeString(dir.resolve("worker-web-start-bench.txt"), line);
            }
        }
    }

    private static final int IDLE_STARTS = 3;

    /** Waits until nothing runs and a spare with its warm browser waits (its start-up done, the CPU quiet). */
    private static void awaitIdle(WorkerFixture worker, LiveKitServer livekit) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!livekit.list(true).isEmpty()) {
            assertThat(System.currentTimeMillis()).as("no active egress").isLessThan(deadline);
            Thread.sleep(100);
        }
        Thread.sleep(8000); // the released handlers exit, the next spare and its browser are up
    }

    /** StartXxxEgress → ACTIVE in livekit-server's ListEgress (polled every 20 ms), in ms since {@code t0}. */
    static long awaitActive(LiveKitServer livekit, String id, long t0) throws InterruptedException {
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

    /** Waits until the {@code n}-th spare's browser is up (the first spare's went to... the first web egress). */
    private static void awaitWarmBrowsers(WorkerFixture worker, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (worker.log().stream().filter(l -> l.contains("warm browser ready")).count() < n) {
            assertThat(System.currentTimeMillis()).as("warm browser %d", n).isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(1000);
    }

    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static String packagedClassPath() {
        Path root = Paths.get(System.getProperty("jegress.root", "..")).toAbsolutePath().normalize();
        Path jar = root.resolve("egress-server/target/egress-server.jar");
        assertThat(jar).as("packaged worker (mvn package)").exists();
        return jar + File.pathSeparator + root.resolve("egress-server/target/lib") + File.separator + "*";
    }

    private static Path node() {
        return Paths.get(System.getProperty("jegress.test.node", "../egress-sources/room/src/test/node"));
    }

    private static long livekitPid() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("livekit.yaml"))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    /** CPU over a window and PSS at its end, of the worker's process tree (and livekit-server's CPU apart). */
    private record Sample(int processes, double cores, double pssMb, double livekitCores) {

        static Sample take(long workerPid, long livekitPid, int seconds) throws Exception {
            Map<Long, Long> before = ticks(tree(workerPid));
            long lk0 = ticksOf(livekitPid);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            List<Long> pids = tree(workerPid);
            Map<Long, Long> after = ticks(pids);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long used = 0;
            for (Map.Entry<Long, Long> e : after.entrySet()) {
                used += e.getValue() - before.getOrDefault(e.getKey(), e.getValue());
            }
            double pss = 0;
            for (long pid : pids) {
                pss += pssKb(pid);
            }
            return new Sample(pids.size(), used / (double) TICKS / elapsed, pss / 1024,
                    (ticksOf(livekitPid) - lk0) / (double) TICKS / elapsed);
        }

        String row(String label, double perEgress, List<Long> starts) {
            List<Long> sorted = starts.stream().sorted().toList();
            return String.format(Locale.ROOT, "| %s | %d | %.3f | %.1f %% | %.0f | %s | %s | %s | %.3f |%n", label,
                    processes, cores, cores / 2 * 100, pssMb, Double.isNaN(perEgress) ? "" : String.format(
                            Locale.ROOT, "%.1f", perEgress),
                    sorted.isEmpty() ? "" : Long.toString(percentile(sorted, 50)),
                    sorted.isEmpty() ? "" : Long.toString(percentile(sorted, 95)), livekitCores);
        }

        private static List<Long> tree(long root) {
            List<Long> pids = new ArrayList<>();
            pids.add(root);
            ProcessHandle.of(root).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
            return pids;
        }

        private static Map<Long, Long> ticks(List<Long> pids) {
            Map<Long, Long> m = new HashMap<>();
            for (long pid : pids) {
                long t = ticksOf(pid);
                if (t >= 0) {
                    m.put(pid, t);
                }
            }
            return m;
        }

        private static long ticksOf(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        private static long pssKb(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                    if (line.startsWith("Pss:")) {
                        return Long.parseLong(line.replaceAll("\\D+", ""));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
            return 0;
        }
    }
}
