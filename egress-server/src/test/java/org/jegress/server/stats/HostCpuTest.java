package org.jegress.server.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCpuTest {

    @TempDir
    Path dir;

    @Test
    void loadIsOneMinusTheIdleShareOfTheInterval() {
        FakeProc proc = new FakeProc(dir).stat(1000, 0, 500, 8000, 500, 0, 0, 0);
        HostCpu cpu = new HostCpu(dir, 8);
        assertThat(cpu.cores()).isEqualTo(8);
        // +300 user, +100 system, +500 idle, +100 iowait: busy 400 of 1000
        proc.stat(1300, 0, 600, 8500, 600, 0, 0, 0);
        assertThat(cpu.sample()).isCloseTo(0.4, within(1e-9));
        assertThat(cpu.lastLoad()).isCloseTo(0.4, within(1e-9));
        // nothing moved: keep the last value
        assertThat(cpu.sample()).isCloseTo(0.4, within(1e-9));
        // irq, softirq and steal are busy time too
        proc.stat(1300, 100, 600, 8700, 600, 50, 25, 25);
        assertThat(cpu.sample()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void unreadableStatKeepsTheLastValue() {
        HostCpu cpu = new HostCpu(dir.resolve("missing"), 2);
        assertThat(cpu.sample()).isZero();
    }

    @Test
    void realNodeSeesABusyProcess() throws Exception {
        HostCpu cpu = new HostCpu();
        assertThat(cpu.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        Process p = new ProcessBuilder("sh", "-c", "exec yes > /dev/null").start();
        try {
            cpu.sample();
            Thread.sleep(1000);
            // one busy core out of all of them, give or take whatever else runs
            assertThat(cpu.sample()).isGreaterThan(0.9 / cpu.cores() - 0.1).isLessThanOrEqualTo(1);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
