package org.jegress.server.stats;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * CPU and memory of one process and all its descendants: an egress's handler JVM together with its Xvfb, Chromium
 * and PulseAudio helpers, which is what upstream charges an egress for. Each {@link #sample} compares per-process
 * CPU times with the previous sample of this tree; not thread-safe (one sampler per tree).
 */
public final class ProcessTree {

    /**
     * One sample of the tree.
     *
     * @param cpuCores  CPU used since the previous sample, in cores (1.0 = one core fully busy); 0 on the first sample
     * @param rssBytes  summed resident memory of the processes, in bytes
     * @param processes how many processes the tree has (0 once the root is gone)
     */
    public record Usage(double cpuCores, long rssBytes, int processes) {
    }

    private final long rootPid;
    private final Path procRoot;
    private Map<Long, Long> previousTicks;
    private long previousNanos;

    /** A tree in the real {@code /proc}. */
    public ProcessTree(long rootPid) {
        this(rootPid, ProcSnapshot.PROC);
    }

    /**
     * @param rootPid  the root process
     * @param procRoot the procfs mount used by {@link #sample()} (a fake tree in tests)
     */
    public ProcessTree(long rootPid, Path procRoot) {
        this.rootPid = rootPid;
        this.procRoot = procRoot;
    }

    /** The root process id. */
    public long rootPid() {
        return rootPid;
    }

    /** Scans {@code /proc} and samples this tree. */
    public Usage sample() {
        return sample(ProcSnapshot.read(procRoot, System.nanoTime()));
    }

    /**
     * Samples this tree from a shared scan (one scan serves every tree of a tick).
     *
     * <p>CPU is the sum over the tree's processes of their user + system time since the previous sample, divided by
     * the wall time between the two scans. A process seen for the first time counts with all its CPU time (it most
     * likely started within the interval, as upstream assumes); one that exited in between no longer counts, and
     * the time of reaped children is not added to their parent's, so short-lived helpers can be under-counted.
     */
    public Usage sample(ProcSnapshot snapshot) {
        Set<Long> members = snapshot.tree(rootPid);
        Map<Long, Long> ticks = new HashMap<>();
        long rss = 0;
        for (long pid : members) {
            snapshot.get(pid).ifPresent(p -> ticks.put(pid, p.cpuTicks()));
            rss += snapshot.rssBytes(pid);
        }

        double cores = 0;
        if (previousTicks != null && snapshot.nanoTime() > previousNanos) {
            long delta = 0;
            for (Map.Entry<Long, Long> e : ticks.entrySet()) {
                long before = previousTicks.getOrDefault(e.getKey(), 0L);
                delta += Math.max(0, e.getValue() - before);
            }
            double seconds = (snapshot.nanoTime() - previousNanos) / 1e9;
            cores = delta / (double) ProcSnapshot.CLOCK_TICKS_PER_SECOND / seconds;
        }
        previousTicks = ticks;
        previousNanos = snapshot.nanoTime();
        return new Usage(cores, rss, members.size());
    }
}
