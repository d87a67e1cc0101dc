package org.jegress.server.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jegress.api.admission.Admission;
import org.jegress.api.admission.HandlerResult;
import org.jegress.api.admission.OverloadAction;
import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.CpuCostConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceMonitorTest {

    private static final long GB = 1L << 30;

    @TempDir
    Path dir;

    /** Time moved by the test. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Records what the monitor asked for. */
    static final class RecordingHandler implements ResourceMonitor.OverloadHandler {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void stop(String egressId, HandlerResult reason) {
            calls.add("stop " + egressId + " " + reason.label());
        }

        @Override
        public void kill(String egressId, HandlerResult reason, EgressException error) {
            calls.add("kill " + egressId + " " + reason.label() + " " + error.getMessage());
        }
    }

    private static StartEgressRequest track(String id) {
        return StartEgressRequest.newBuilder().setEgressId(id)
                .setTrack(TrackEgressRequest.newBuilder().setTrackId("TR_1")).build();
    }

    private static CpuCostConfig config(String yaml) {
        return ConfigLoader.parse(yaml, Map.of()).cpuCost();
    }

    @Test
    void feedsAdmissionFromFakeProcAndCarriesOutOverloadDecisions() throws Exception {
        Path proc = dir.resolve("proc");
        Path cgroup = Files.createDirectories(dir.resolve("cgroup"));
        Files.writeString(cgroup.resolve("memory.current"), Long.toString(3 * GB) + "\n");
        FakeProc fake = new FakeProc(proc)
                .stat(0, 0, 0, 1000, 0, 0, 0, 0)
                .process(10, "worker-jvm", 1, 10, 0, 0, 1024 * 1024) // 1 GB
                .process(100, "handler", 10, 100, 0, 0, 512 * 1024)
                .process(101, "chrome", 100, 100, 0, 0, 1024 * 1024);

        TestClock clock = new TestClock();
        Admission admission = new Admission(config("cpu_cost: {max_memory: 4}"), 8, clock);
        admission.accept(track("EG_A"));
        RecordingHandler handler = new RecordingHandler();
        AtomicLong nanos = new AtomicLong();
        HostCpu hostCpu = new HostCpu(proc, 8);
        ResourceMonitor monitor = new ResourceMonitor(admission, hostCpu, handler, Duration.ofSeconds(1), proc,
                nanos::get, new CgroupMemory(cgroup), 10);
        monitor.register("EG_A", 100);
        assertThat(monitor.registered()).containsExactly("EG_A");

        assertThat(monitor.sampleOnce()).isEmpty(); // 1 + 0.5 + 1 GB, not over 4
        assertThat(admission.procRssBytes()).isEqualTo((1024 + 512 + 1024) * 1024L * 1024);
        assertThat(admission.cgroupMemoryBytes()).hasValue(3 * GB);

        // one second later: the tree used 150 ticks (1.5 cores), the host was 25 % busy
        nanos.set(TimeUnit.SECONDS.toNanos(1));
        fake.stat(50, 0, 0, 1150, 0, 0, 0, 0)
                .process(100, "handler", 10, 100, 100, 0, 512 * 1024)
                .process(101, "chrome", 100, 100, 50, 0, 2 * 1024 * 1024);
        clock.now = clock.now.plusSeconds(15); // past the reservation: the measurement counts
        List<OverloadAction> actions = monitor.sampleOnce();
        assertThat(monitor.cpuLoad()).isCloseTo(0.25, within(1e-9));
        assertThat(admission.cpuUsage().used()).isCloseTo(1.5, within(1e-9));
        assertThat(admission.availableCpu()).isCloseTo(8 * 0.8 - 1.5, within(1e-9));

        // 1 + 0.5 + 2 GB = 3.5 GB < 4: still fine; chrome grows to 3 GB → 4.5 GB: OOM kill (grace 0)
        assertThat(actions).isEmpty();
        fake.process(101, "chrome", 100, 100, 50, 0, 3 * 1024 * 1024);
        nanos.set(TimeUnit.SECONDS.toNanos(2));
        actions = monitor.sampleOnce();
        assertThat(actions).extracting(OverloadAction::result).containsExactly(HandlerResult.KILLED_OOM);
        assertThat(handler.calls).containsExactly("kill EG_A killed_oom OOM: 4.50 GB used");

        monitor.unregister("EG_A");
        assertThat(monitor.registered()).isEmpty();
        monitor.close();
    }

    @Test
    void egressesSharingAHandlerAreChargedAnEqualShareOfIt() throws Exception {
        Path proc = dir.resolve("proc-shared");
        FakeProc fake = new FakeProc(proc)
                .stat(0, 0, 0, 1000, 0, 0, 0, 0)
                .process(10, "worker-jvm", 1, 10, 0, 0, 1024)
                .process(200, "shared-handler", 10, 200, 0, 0, 300 * 1024);
        TestClock clock = new TestClock();
        Admission admission = new Admission(config(""), 8, clock);
        for (String id : List.of("EG_1", "EG_2", "EG_3")) {
            admission.accept(track(id));
        }
        AtomicLong nanos = new AtomicLong();
        ResourceMonitor monitor = new ResourceMonitor(admission, new HostCpu(proc, 8), null, Duration.ofSeconds(1),
                proc, nanos::get, null, 10);
        monitor.register("EG_1", 200);
        monitor.register("EG_2", 200);
        monitor.register("EG_3", 200);
        monitor.sampleOnce();

        // one second later the shared process used 0.6 cores: 0.2 each, 0.6 in all (not 1.8)
        nanos.set(TimeUnit.SECONDS.toNanos(1));
        fake.stat(60, 0, 0, 1140, 0, 0, 0, 0).process(200, "shared-handler", 10, 200, 60, 0, 300 * 1024);
        clock.now = clock.now.plusSeconds(15);
        monitor.sampleOnce();
        assertThat(admission.cpuUsage().used()).isCloseTo(0.6, within(1e-9));

        // one leaves: the process is measured on for the other two
        monitor.unregister("EG_2");
        admission.ended("EG_2");
        assertThat(monitor.registered()).containsExactly("EG_1", "EG_3");
        nanos.set(TimeUnit.SECONDS.toNanos(2));
        fake.stat(100, 0, 0, 1200, 0, 0, 0, 0).process(200, "shared-handler", 10, 200, 100, 0, 300 * 1024);
        monitor.sampleOnce();
        assertThat(admission.cpuUsage().used()).isCloseTo(0.4, within(1e-9));
        assertThat(admission.ended("EG_1").orElseThrow().maxCpu()).isCloseTo(0.2, within(1e-9));
    }

    @Test
    void scheduledSamplingMeasuresARealBusyTree() throws Exception {
        TestClock clock = new TestClock();
        Admission admission = new Admission(config(""), 64, clock);
        admission.accept(track("EG_busy"));
        clock.now = clock.now.plusSeconds(15);
        Process p = new ProcessBuilder("sh", "-c", "yes > /dev/null & wait").start();
        ResourceMonitor monitor = new ResourceMonitor(admission, new HostCpu(), null, Duration.ofMillis(200),
                ProcSnapshot.PROC, System::nanoTime, new CgroupMemory(), ProcessHandle.current().pid());
        try {
            ProcessTreeTest.awaitDescendant(p);
            monitor.register("EG_busy", p.pid());
            monitor.start();
            monitor.start(); // idempotent
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (admission.cpuUsage().used() < 0.5 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(admission.cpuUsage().used()).isGreaterThan(0.5);
            assertThat(monitor.cpuLoad()).isPositive();
            // the worker's own RSS plus the tree's
            assertThat(admission.procRssBytes()).isGreaterThan(10L << 20);
        } finally {
            monitor.close();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        assertThat(admission.ended("EG_busy").orElseThrow().maxCpu()).isGreaterThan(0.5);
    }
}
