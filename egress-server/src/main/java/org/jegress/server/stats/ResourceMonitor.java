package org.jegress.server.stats;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jegress.api.admission.Admission;
import org.jegress.api.admission.HandlerResult;
import org.jegress.api.admission.OverloadAction;
import org.jegress.api.error.EgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the node every interval (1 s, as upstream) and feeds {@link Admission}: host CPU load, each registered
 * egress's process tree ({@link Admission#updateUsage}), the worker's own RSS, the cgroup working set, then
 * {@link Admission#evaluateOverload} whose stop/kill decisions go to the {@link OverloadHandler}.
 *
 * <p>Wiring: {@link #register} an egress with its handler's pid right after launching it, {@link #unregister} it
 * when the process has exited (before or after {@link Admission#ended}; samples for an ended egress are ignored).
 * {@link #start()} schedules the sampling on a daemon thread; {@link #sampleOnce()} runs one sample synchronously
 * (tests, or a caller with its own scheduler). {@link #close()} stops the schedule.
 */
public final class ResourceMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResourceMonitor.class);

    /**
     * Carries out the overload policy's decisions; implemented by the worker (upstream's {@code StopProcess} /
     * {@code KillProcess}). Called on the sampling thread, so implementations should not block for long.
     */
    public interface OverloadHandler {
        /**
         * Stop the egress gracefully (EOS, outputs finalised; upstream's end reason is "CPU exhausted") and record
         * {@code reason} as its handler result when its process ends.
         */
        void stop(String egressId, HandlerResult reason);

        /**
         * Kill the egress's handler process; it ends FAILED with {@code error} ({@code permission_denied},
         * "CPU exhausted: …" or "OOM: …"), and {@code reason} is recorded as its handler result.
         */
        void kill(String egressId, HandlerResult reason, EgressException error);
    }

    private final Admission admission;
    private final HostCpu hostCpu;
    private final OverloadHandler handler;
    private final Duration interval;
    private final Path procRoot;
    private final LongSupplier nanoTime;
    private final CgroupMemory cgroup;
    private final long selfPid;

    /** Egress → the pid of its handler; several egresses share one in a shared handler. */
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final Map<Long, ProcessTree> trees = new LinkedHashMap<>();
    private ScheduledExecutorService scheduler;
    private volatile double cpuLoad;

    /**
     * The real node: {@code /proc}, a 1 s interval, the worker's own pid, and the cgroup working set read every
     * sample (used for admission only with {@code memory_source: cgroup}, but always exported, as upstream does).
     */
    public ResourceMonitor(Admission admission, HostCpu hostCpu, OverloadHandler handler) {
        this(admission, hostCpu, handler, Duration.ofSeconds(1), ProcSnapshot.PROC, System::nanoTime,
                new CgroupMemory(), ProcessHandle.current().pid());
    }

    /**
     * @param admission where the samples go
     * @param hostCpu   the node's CPU load source
     * @param handler   receives stop/kill decisions; null to ignore them
     * @param interval  time between samples
     * @param procRoot  the procfs mount
     * @param nanoTime  monotonic time source for CPU rates
     * @param cgroup    cgroup working-set reader; null to never read it
     * @param selfPid   the worker's own pid, whose RSS counts as service memory
     */
    public ResourceMonitor(Admission admission, HostCpu hostCpu, OverloadHandler handler, Duration interval,
                           Path procRoot, LongSupplier nanoTime, CgroupMemory cgroup, long selfPid) {
        this.admission = Objects.requireNonNull(admission, "admission");
        this.hostCpu = Objects.requireNonNull(hostCpu, "hostCpu");
        this.handler = handler;
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.interval = interval;
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.cgroup = cgroup;
        this.selfPid = selfPid;
    }

    /** Starts sampling every interval on a daemon thread; a second call does nothing. */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egress-resource-monitor");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        scheduler.scheduleAtFixedRate(this::sampleSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts measuring an egress's process tree rooted at {@code pid} (its handler process). Egresses registered
     * with the same pid (a shared handler) are charged an equal share of what that process tree uses.
     */
    public synchronized void register(String egressId, long pid) {
        pids.put(egressId, pid);
        trees.computeIfAbsent(pid, p -> new ProcessTree(p, procRoot));
    }

    /** Stops measuring an egress. */
    public synchronized void unregister(String egressId) {
        Long pid = pids.remove(egressId);
        if (pid != null && !pids.containsValue(pid)) {
            trees.remove(pid);
        }
    }

    /** Egresses currently measured. */
    public synchronized List<String> registered() {
        return List.copyOf(pids.keySet());
    }

    /** Host CPU load (0..1) of the last sample; {@code livekit_node_cpu_load}. */
    public double cpuLoad() {
        return cpuLoad;
    }

    private void sampleSafely() {
        try {
            sampleOnce();
        } catch (RuntimeException e) {
            // A bad sample must not end the schedule: the next one may well succeed.
            log.warn("resource sample failed", e);
        }
    }

    /** Takes one sample now and applies the overload policy; returns the decisions it passed to the handler. */
    public List<OverloadAction> sampleOnce() {
        List<OverloadAction> actions;
        synchronized (this) {
            double load = hostCpu.sample();
            cpuLoad = load;
            ProcSnapshot snapshot = ProcSnapshot.read(procRoot, nanoTime.getAsLong());
            Map<Long, ProcessTree.Usage> usage = new LinkedHashMap<>();
            trees.forEach((pid, tree) -> usage.put(pid, tree.sample(snapshot)));
            Map<Long, Long> sharing = new LinkedHashMap<>();
            pids.values().forEach(pid -> sharing.merge(pid, 1L, Long::sum));
            for (Map.Entry<String, Long> e : pids.entrySet()) {
                ProcessTree.Usage u = usage.get(e.getValue());
                long n = sharing.get(e.getValue());
                admission.updateUsage(e.getKey(), u.cpuCores() / n, u.rssBytes() / n);
            }
            admission.updateServiceMemory(snapshot.rssBytes(selfPid));
            if (cgroup != null) {
                admission.updateCgroupMemory(cgroup.read());
            }
            actions = admission.evaluateOverload(load);
        }
        // Outside the lock: the handler may call back into register/unregister.
        for (OverloadAction a : actions) {
            log.warn("{} egress {} ({}){}", a.kind() == OverloadAction.Kind.STOP ? "stopping" : "killing",
                    a.egressId(), a.result().label(), a.error() == null ? "" : ": " + a.error().getMessage());
            if (handler == null) {
                continue;
            }
            try {
                if (a.kind() == OverloadAction.Kind.STOP) {
                    handler.stop(a.egressId(), a.result());
                } else {
                    handler.kill(a.egressId(), a.result(), a.error());
                }
            } catch (RuntimeException e) {
                log.warn("overload handler failed for {}", a.egressId(), e);
            }
        }
        return actions;
    }

    /** Stops the schedule (an in-flight sample completes). */
    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
