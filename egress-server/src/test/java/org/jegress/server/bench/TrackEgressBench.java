package org.jegress.server.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.plan.EgressIds;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.sources.room.harness.LiveKitEnvironment;
import org.jegress.sources.room.harness.LiveKitExtension;
import org.jegress.sources.room.harness.LiveKitServer;
import org.jegress.sources.room.harness.TestPublisher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Concurrent passthrough Opus track egresses in one JVM (the library, as an application embedding it runs them):
 * one publisher's tone, recorded N times by N hidden recorders, each its own room connection, webrtcbin and OGG file.
 * N grows in steps; at each step the JVM's CPU (user + system from /proc) and RSS are measured over a steady window,
 * with livekit-server's CPU alongside. The ramp stops once the egresses use half the machine's cores. Start latency
 * (start → ACTIVE, i.e. first media in the file) is recorded for every egress.
 *
 * <p>Run with {@code bench/track-egress/run.sh}; not part of the test suite.
 */
@Tag("bench")
@ExtendWith(LiveKitExtension.class)
class TrackEgressBench {

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void concurrentOpusTrackEgresses(LiveKitEnvironment env) throws Exception {
        int[] steps = Arrays.stream(System.getProperty("bench.steps", "10,25,50,75,100,125,150").split(","))
                .mapToInt(Integer::parseInt).toArray();
        long window = Long.getLong("bench.window.seconds", 10);
        double stopAt = Double.parseDouble(System.getProperty("bench.stop.cores", Double.toString(CORES * 0.5)));

        String room = env.newRoom("bench");
        TestPublisher pub = env.publisher(room, "speaker");
        String sid = pub.publishTone("mic", 440);
        Path out = env.workDir().resolve("bench-out");
        Files.createDirectories(out);
        EgressOptions options = EgressOptions.defaults().withOutputDirectory(out).withWorkRoot(out.resolve("work"))
                .withConfig(ConfigLoader.parse(String.join("\n",
                        "api_key: " + LiveKitServer.API_KEY,
                        "api_secret: " + LiveKitServer.API_SECRET,
                        "ws_url: " + env.server().wsUrl(), ""), Map.of()));

        // warm-up: class loading, GStreamer initialisation and plugin loading are paid once per process
        EgressHandle warm = start(room, sid, options, "warmup");
        awaitActive(warm);
        warm.stop();
        warm.awaitCompletion(Duration.ofSeconds(30));

        List<EgressHandle> running = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        Cpu idle = measure(env, window);
        System.out.printf(Locale.ROOT, "idle: JVM %.3f cores, RSS %.0f MB; livekit-server %.3f cores%n",
                idle.jvmCores, idle.rssMb, idle.serverCores);
        StringBuilder table = new StringBuilder(
                "| egresses | JVM cores | cores/track | JVM RSS MB | MB/track | livekit-server cores | start p50 ms "
                        + "| start p95 ms |\n|---|---|---|---|---|---|---|---|\n");
        for (int n : steps) {
            List<Long> stepLatencies = new ArrayList<>();
            while (running.size() < n) {
                long t0 = System.nanoTime();
                EgressHandle h = start(room, sid, options, "t" + running.size());
                awaitActive(h);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                stepLatencies.add(ms);
                latencies.add(ms);
                running.add(h);
            }
            Thread.sleep(3000);
            Cpu c = measure(env, window);
            long failed = running.stream().filter(h -> h.info().getStatus() != EgressStatus.EGRESS_ACTIVE).count();
            double perTrack = (c.jvmCores - idle.jvmCores) / n;
            double mbPerTrack = (c.rssMb - idle.rssMb) / n;
            String row = String.format(Locale.ROOT, "| %d | %.3f | %.4f | %.0f | %.1f | %.3f | %d | %d |", n,
                    c.jvmCores, perTrack, c.rssMb, mbPerTrack, c.serverCores, percentile(stepLatencies, 50),
                    percentile(stepLatencies, 95));
            System.out.println(row + (failed > 0 ? " (" + failed + " not active)" : ""));
            table.append(row).append('\n');
            assertThat(failed).as("egresses still recording at %d", n).isZero();
            if (c.jvmCores >= stopAt) {
                System.out.printf(Locale.ROOT, "reached %.2f cores (%.0f%% of %d) at %d egresses%n", c.jvmCores,
                        100 * c.jvmCores / CORES, CORES, n);
                break;
            }
        }
        System.out.printf(Locale.ROOT, "start latency over %d egresses: p50 %d ms, p95 %d ms, max %d ms%n",
                latencies.size(), percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 100));

        long t0 = System.nanoTime();
        for (EgressHandle h : running) {
            h.stop();
        }
        List<EgressInfo> results = new ArrayList<>();
        for (EgressHandle h : running) {
            results.add(h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow());
        }
        System.out.printf(Locale.ROOT, "stopped %d egresses in %d ms%n", running.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(results).allSatisfy(i -> assertThat(i.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE));
        for (EgressInfo i : List.of(results.get(0), results.get(results.size() / 2), results.get(results.size() - 1))) {
            MediaProbe p = MediaProbe.of(Path.of(i.getFileResults(0).getLocation()));
            assertThat(p.audio().orElseThrow().codec()).isEqualTo("opus");
            assertThat(p.duration()).isGreaterThan(window);
        }
        Files.writeString(env.workDir().resolve("track-egress-bench.md"), table.toString());
    }

    private static EgressHandle start(String room, String sid, EgressOptions options, String name) {
        return Egress.start(StartEgressRequest.newBuilder().setEgressId(EgressIds.newEgressId()).setRoomName(room)
                .setTrack(TrackEgressRequest.newBuilder().setRoomName(room).setTrackId(sid)
                        .setFile(DirectFileOutput.newBuilder().setFilepath(name + ".ogg")))
                .build(), options);
    }

    private static void awaitActive(EgressHandle h) throws InterruptedException {
        CountDownLatch active = new CountDownLatch(1);
        h.addListener(i -> {
            if (i.getStatus() == EgressStatus.EGRESS_ACTIVE) {
                active.countDown();
            }
        });
        if (h.info().getStatus() == EgressStatus.EGRESS_ACTIVE) {
            return;
        }
        assertThat(active.await(30, TimeUnit.SECONDS)).as("ACTIVE: %s", h.info()).isTrue();
    }

    private record Cpu(double jvmCores, double rssMb, double serverCores) {
    }

    /** CPU of this JVM and of livekit-server over {@code seconds}, and this JVM's RSS at the end. */
    private static Cpu measure(LiveKitEnvironment env, long seconds) throws IOException, InterruptedException {
        long self = ProcessHandle.current().pid();
        List<Long> server = env.server().serverPids();
        long j0 = ticks(self);
        long s0 = server.stream().mapToLong(TrackEgressBench::ticksQuietly).sum();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000);
        long j1 = ticks(self);
        long s1 = server.stream().mapToLong(TrackEgressBench::ticksQuietly).sum();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new Cpu((j1 - j0) / 100.0 / elapsed, rssMb(self), (s1 - s0) / 100.0 / elapsed);
    }

    /** utime + stime in clock ticks (USER_HZ = 100 on Linux). */
    private static long ticks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long ticksQuietly(long pid) {
        try {
            return ticks(pid);
        } catch (IOException e) {
            return 0;
        }
    }

    private static double rssMb(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return 0;
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> s = values.stream().sorted().toList();
        if (s.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i)));
    }
}
