package org.jegress.server.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTreeTest {

    @TempDir
    Path dir;

    @Test
    void cpuFromTickDeltasOverWallTime() {
        FakeProc proc = new FakeProc(dir)
                .process(100, "java", 1, 1, 1000, 500, 100_000)
                .process(101, "chrome", 100, 1, 2000, 0, 200_000)
                .process(300, "unrelated", 1, 1, 0, 0, 1);
        ProcessTree tree = new ProcessTree(100, dir);

        ProcessTree.Usage first = tree.sample(ProcSnapshot.read(dir, 0));
        assertThat(first.cpuCores()).isZero();
        assertThat(first.rssBytes()).isEqualTo(300_000L * 1024);
        assertThat(first.processes()).isEqualTo(2);

        // two seconds later: root +100 ticks, chrome +200, a new helper with 40 ticks, the unrelated one +1000
        proc.process(100, "java", 1, 1, 1050, 550, 100_000)
                .process(101, "chrome", 100, 1, 2200, 0, 200_000)
                .process(102, "pulseaudio", 100, 1, 30, 10, 5_000)
                .process(300, "unrelated", 1, 1, 1000, 0, 1);
        ProcessTree.Usage second = tree.sample(ProcSnapshot.read(dir, TimeUnit.SECONDS.toNanos(2)));
        assertThat(second.cpuCores()).isCloseTo((100 + 200 + 40) / 100.0 / 2, within(1e-9));
        assertThat(second.processes()).isEqualTo(3);
        assertThat(second.rssBytes()).isEqualTo(305_000L * 1024);

        // chrome exits: its vanished ticks must not turn into negative usage
        proc.remove(101).process(100, "java", 1, 1, 1060, 550, 100_000);
        ProcessTree.Usage third = tree.sample(ProcSnapshot.read(dir, TimeUnit.SECONDS.toNanos(3)));
        assertThat(third.cpuCores()).isCloseTo(0.1, within(1e-9));
        assertThat(third.processes()).isEqualTo(2);

        proc.remove(100).remove(102);
        ProcessTree.Usage gone = tree.sample(ProcSnapshot.read(dir, TimeUnit.SECONDS.toNanos(4)));
        assertThat(gone).isEqualTo(new ProcessTree.Usage(0, 0, 0));
    }

    @Test
    void busyDescendantOfARealProcess() throws Exception {
        // sh waits on a CPU-bound child: the root is idle, the descendant burns about one core
        Process p = new ProcessBuilder("sh", "-c", "yes > /dev/null & wait").start();
        try {
            ProcessTree tree = new ProcessTree(p.pid());
            awaitDescendant(p);
            tree.sample();
            Thread.sleep(1000);
            ProcessTree.Usage u = tree.sample();
            assertThat(u.cpuCores()).isGreaterThan(0.5).isLessThan(1.5);
            assertThat(u.rssBytes()).isPositive();
            assertThat(u.processes()).isGreaterThanOrEqualTo(2);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
    }

    static void awaitDescendant(Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (p.descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(p.descendants().findAny()).as("child of " + p.pid()).isPresent();
    }
}
