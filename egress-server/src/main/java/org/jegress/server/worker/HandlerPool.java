package org.jegress.server.worker;

import java.util.ArrayList;
import java.util.List;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.server.handler.HandlerProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's handler processes: where each egress runs.
 *
 * <p>A heavy egress gets a process of its own: the <em>spare</em> when one waits (a handler JVM kept started and warmed
 * up — classes loaded, GStreamer and its plugins initialised, a browser for the default size — which saves about
 * 0.5-0.7 s of every start on a small machine, and costs one idle JVM), else a fresh one. Light egresses
 * ({@link EgressPlan#lightweight()}: no browser, no video decoding or encoding) share handler processes, up to
 * {@code shared_handler_capacity} each; a shared handler starts from the spare (or fresh), and is released once its
 * last egress ended. A crash of one process ends only the egresses it hosts.
 */
final class HandlerPool {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerPool.class);

    private final HandlerProcess.Launcher launcher;
    private final String configYaml;
    private final int sharedCapacity;
    private final boolean keepSpare;
    /** Where shared handlers run ({@code shared_handler_cpu_pinning}); null: anywhere. */
    private final CpuPlacement cpus;
    private final List<HandlerProcess> shared = new ArrayList<>();
    private HandlerProcess spare;
    private boolean closed;

    /**
     * @param sharedCapacity light egresses per shared handler; 1 runs every egress in a process of its own
     * @param keepSpare keep one warm handler waiting for the next egress
     * @param cpus where shared handlers run, or null to leave that to the kernel
     */
    HandlerPool(HandlerProcess.Launcher launcher, String configYaml, int sharedCapacity, boolean keepSpare,
            CpuPlacement cpus) {
        this.launcher = launcher;
        this.configYaml = configYaml;
        this.sharedCapacity = sharedCapacity;
        this.keepSpare = keepSpare;
        this.cpus = cpus;
    }

    /** Starts the egress in the process it belongs in (see the class comment); its slot there. */
    HandlerProcess.Slot run(StartEgressRequest req, EgressInfo info, boolean lightweight) {
        if (lightweight && sharedCapacity > 1) {
            return runShared(req, info);
        }
        HandlerProcess s = takeSpare();
        return s != null ? s.assign(req, info, configYaml, false) : HandlerProcess.launch(launcher, req, info, configYaml);
    }

    private HandlerProcess.Slot runShared(StartEgressRequest req, EgressInfo info) {
        synchronized (shared) {
            for (HandlerProcess h : shared) {
                if (h.isAlive() && h.hosted() < sharedCapacity) {
                    return h.assign(req, info, configYaml, true);
                }
            }
            HandlerProcess h = takeSpare();
            HandlerProcess host = h != null ? h : HandlerProcess.spare(launcher, configYaml, false);
            shared.add(host);
            host.exit().thenRun(() -> {
                synchronized (shared) {
                    shared.remove(host);
                }
                if (cpus != null) {
                    cpus.release(host.pid());
                }
            });
            LOG.info("shared handler pid {} hosts up to {} light egresses", host.pid(), sharedCapacity);
            if (cpus != null) {
                // before its first egress, so that the threads that egress makes start out there
                cpus.place(host.pid());
            }
            return host.assign(req, info, configYaml, true);
        }
    }

    private synchronized HandlerProcess takeSpare() {
        HandlerProcess s = spare;
        spare = null;
        return s != null && s.isAlive() ? s : null;
    }

    /** Starts a new spare in the background, unless one is waiting or the pool is closed. */
    void replenishSpare() {
        if (!keepSpare) {
            return;
        }
        Thread t = new Thread(() -> {
            synchronized (this) {
                if (spare != null && spare.isAlive() || closed) {
                    return;
                }
                try {
                    spare = HandlerProcess.spare(launcher, configYaml, true);
                } catch (RuntimeException e) {
                    LOG.warn("cannot start a spare handler: {}", e.getMessage());
                }
            }
        }, "spare-handler");
        t.setDaemon(true);
        t.start();
    }

    /** An egress in {@code h} has ended: a shared handler with nothing left in it is let go. */
    void ended(HandlerProcess h) {
        synchronized (shared) {
            if (h.isShared() && h.hosted() == 0 && shared.remove(h)) {
                LOG.debug("releasing empty shared handler pid {}", h.pid());
                h.release();
            }
        }
    }

    /** No more spares: the waiting one is stopped, empty shared handlers are let go (busy ones when they empty). */
    void close() {
        synchronized (this) {
            closed = true;
            if (spare != null) {
                spare.kill();
                spare = null;
            }
        }
        synchronized (shared) {
            shared.stream().filter(h -> h.hosted() == 0).forEach(HandlerProcess::release);
        }
    }
}
