package org.jegress.server.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU load of the whole node from the aggregate {@code cpu} line of {@code /proc/stat}: {@code 1 − idle share}
 * over the interval since the previous {@link #sample()}, idle counting {@code idle + iowait}. Thread-safe.
 *
 * <p>Inside a container with a CPU quota {@code /proc/stat} still describes the host, so the load reads low there;
 * {@link #cores()} is quota-aware ({@link Runtime#availableProcessors()} reads the cgroup limits).
 */
public final class HostCpu {

    private final Path statFile;
    private final double cores;
    private long previousIdle;
    private long previousTotal;
    private double lastLoad;

    /** The real node: {@code /proc/stat} and {@link Runtime#availableProcessors()}. */
    public HostCpu() {
        this(ProcSnapshot.PROC, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param procRoot the procfs mount (a fake tree in tests)
     * @param cores    the node's cores
     */
    public HostCpu(Path procRoot, double cores) {
        this.statFile = procRoot.resolve("stat");
        this.cores = cores;
        long[] t = read();
        if (t != null) {
            previousIdle = t[0];
            previousTotal = t[1];
        }
    }

    /** Cores of the node, as admission counts them. */
    public double cores() {
        return cores;
    }

    /**
     * Reads {@code /proc/stat} and returns the load since the previous call (or since construction), 0..1; the
     * previous value when no time has passed or the file cannot be read.
     */
    public synchronized double sample() {
        long[] t = read();
        if (t == null) {
            return lastLoad;
        }
        long idle = t[0] - previousIdle;
        long total = t[1] - previousTotal;
        if (total > 0) {
            lastLoad = Math.min(1, Math.max(0, 1 - (double) idle / total));
            previousIdle = t[0];
            previousTotal = t[1];
        }
        return lastLoad;
    }

    /** The load computed by the last {@link #sample()}. */
    public synchronized double lastLoad() {
        return lastLoad;
    }

    /** {idle + iowait, total} in ticks, or null. */
    private long[] read() {
        String first;
        try (var lines = Files.lines(statFile, StandardCharsets.UTF_8)) {
            first = lines.filter(l -> l.startsWith("cpu ")).findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (first == null) {
            return null;
        }
        String[] f = first.substring(4).trim().split("\\s+");
        if (f.length < 4) {
            return null;
        }
        long total = 0;
        long idle = 0;
        try {
            // user nice system idle iowait irq softirq steal; guest time is already inside user and nice
            for (int i = 0; i < Math.min(f.length, 8); i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 3 || i == 4) {
                    idle += v;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return new long[] {idle, total};
    }
}
