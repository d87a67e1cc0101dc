package org.jegress.server.handler;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.SourceKind;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.status.EgressStatusTracker;
import org.jegress.api.status.EndReason;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.pipeline.UploadObserver;
import org.jegress.server.handler.ipc.HandlerCommand;
import org.jegress.server.handler.ipc.HandlerEvent;
import org.jegress.server.handler.ipc.Ready;
import org.jegress.server.handler.ipc.Reply;
import org.jegress.server.handler.ipc.UploadStat;
import org.jegress.sources.web.WarmBrowser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The egresses one handler process runs: one for a dedicated handler, several light ones for a shared handler. Starts
 * each from its request, routes the worker's commands to it by egress id, and reports its events, its final state
 * last. When the worker is gone, nobody can stop them any more: {@link #workerGone} finishes them cleanly and each
 * reports its own outcome to livekit-server ({@link OrphanReport}).
 */
final class EgressHost {

    private static final Logger LOG = LoggerFactory.getLogger(EgressHost.class);

    /** An unused warm browser is stopped this long after an egress without one started. */
    private static final java.time.Duration BROWSER_DISCARD_DELAY = java.time.Duration.ofSeconds(5);

    private final Consumer<HandlerEvent> send;
    private final Map<String, EgressHandle> egresses = new ConcurrentHashMap<>();
    private final Map<String, Thread> waiters = new ConcurrentHashMap<>();
    private final Map<String, EgressConfig> configs = new ConcurrentHashMap<>();
    private final long startedAtMillis;
    private final java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
    private volatile boolean orphaned;

    /**
     * @param send writes one event to the worker (thread-safe)
     * @param startedAtMillis when this JVM started, for the first egress's start-up time
     */
    EgressHost(Consumer<HandlerEvent> send, long startedAtMillis) {
        this.send = send;
        this.startedAtMillis = startedAtMillis;
    }

    /**
     * Starts one egress and reports it ready (or, when it cannot start, a ready event with the error).
     *
     * @return whether it runs
     */
    boolean start(StartEgressRequest request, EgressInfo initial, String configYaml, Map<String, String> env) {
        String id = request.getEgressId();
        EgressHandle handle;
        EgressConfig config;
        long t0 = System.currentTimeMillis();
        try {
            config = ConfigLoader.parse(configYaml, env);
            EgressOptions options = HandlerMain.options(config).withUploadObserver(uploads(id));
            Instant startedAt = Instant.ofEpochSecond(0, initial.getStartedAt());
            EgressPlan plan = Egress.planner(options, Clock.fixed(startedAt, options.zone())).plan(request);
            if (plan.sourceKind() != SourceKind.WEB) {
                WarmBrowser.discardLater(BROWSER_DISCARD_DELAY); // this egress has no use for it
            } else if (plan.video().width() != WarmBrowser.WIDTH || plan.video().height() != WarmBrowser.HEIGHT
                    || plan.video().depth() != WarmBrowser.DEPTH) {
                WarmBrowser.discard(); // a browser of another size replaces it
            }
            handle = Egress.start(plan, options);
        } catch (RuntimeException e) {
            LOG.error("{}: handler failed to start the egress", id, e);
            send.accept(HandlerEvent.newBuilder().setEgressId(id).setReady(Ready.newBuilder()
                    .setError(String.valueOf(e.getMessage()))).build());
            return false;
        }
        egresses.put(id, handle);
        configs.put(id, config);
        handle.addListener(info -> {
            if (!EgressStatusTracker.isTerminal(info.getStatus())) {
                send.accept(HandlerEvent.newBuilder().setEgressId(id).setUpdate(info).build());
            }
        });
        // the first egress's start-up counts the JVM's; later ones in a shared handler only their own
        long startup = System.currentTimeMillis() - (first.getAndSet(false) ? startedAtMillis : t0);
        Thread waiter = new Thread(() -> awaitEnd(id, handle), "egress-end-" + id);
        waiter.setDaemon(true);
        waiters.put(id, waiter);
        send.accept(HandlerEvent.newBuilder().setEgressId(id).setReady(Ready.newBuilder().setStartupMs(startup))
                .build());
        LOG.info("{}: handler ready after {} ms", id, startup);
        waiter.start();
        return true;
    }

    private void awaitEnd(String id, EgressHandle h) {
        try {
            EgressInfo last = h.awaitCompletion();
            if (orphaned) {
                OrphanReport.send(configs.get(id), last);
            } else {
                send.accept(HandlerEvent.newBuilder().setEgressId(id).setFinished(last).build());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            egresses.remove(id);
            configs.remove(id);
        }
    }

    private UploadObserver uploads(String id) {
        return new UploadObserver() {
            @Override
            public void uploaded(String contentType, String status, boolean customEndpoint, long millis) {
                send.accept(HandlerEvent.newBuilder().setEgressId(id).setUpload(UploadStat.newBuilder()
                        .setContentType(contentType).setStatus(status).setCustomEndpoint(customEndpoint)
                        .setMillis(millis)).build());
            }

            @Override
            public void backupWritten(String contentType) {
                send.accept(HandlerEvent.newBuilder().setEgressId(id).setUpload(UploadStat.newBuilder()
                        .setContentType(contentType).setBackupWrite(true)).build());
            }
        };
    }

    /** Answers one command (Stop, UpdateStream, Dot) for the egress it names. */
    void handle(HandlerCommand c) {
        Reply.Builder r = Reply.newBuilder().setId(c.getId());
        EgressHandle h = egresses.get(c.getEgressId());
        if (h == null) {
            r.setError("egress not found").setCode("not_found");
        } else {
            switch (c.getCommandCase()) {
                case STOP:
                    EndReason reason;
                    try {
                        reason = EndReason.valueOf(c.getStop().getReason());
                    } catch (IllegalArgumentException e) {
                        reason = EndReason.API;
                    }
                    r.setInfo(h.stop(reason));
                    break;
                case DOT:
                    r.setDot(h.pipelineDot());
                    break;
                case UPDATE_STREAM:
                    try {
                        r.setInfo(h.updateStream(c.getUpdateStream().getAddOutputUrlsList(),
                                c.getUpdateStream().getRemoveOutputUrlsList()));
                    } catch (EgressException e) {
                        r.setError(e.getMessage()).setCode(e.code().wire());
                    }
                    break;
                default:
                    r.setError("unknown command").setCode("invalid_argument");
                    break;
            }
        }
        send.accept(HandlerEvent.newBuilder().setEgressId(c.getEgressId()).setReply(r).build());
    }

    /** Stops every egress (SIGTERM / SIGINT to the handler). */
    void stopAll(EndReason reason) {
        egresses.values().forEach(h -> h.stop(reason));
    }

    /** The worker is gone (stdin closed): finish every egress now rather than lose it; each reports itself. */
    void workerGone() {
        orphaned = true;
        if (!egresses.isEmpty()) {
            LOG.warn("worker went away, stopping {} egress(es)", egresses.size());
        }
        stopAll(EndReason.KILLED);
    }

    /** Waits until every started egress has ended and reported. */
    void awaitAll() throws InterruptedException {
        for (Thread t : List.copyOf(waiters.values())) {
            t.join();
        }
    }

    int running() {
        return egresses.size();
    }
}
