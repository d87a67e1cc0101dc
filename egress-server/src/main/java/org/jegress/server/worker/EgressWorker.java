package org.jegress.server.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jegress.api.admission.Admission;
import org.jegress.api.admission.CoreRequirements;
import org.jegress.api.admission.HandlerResult;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.error.NotSupportedException;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.StopEgressRequest;
import org.jegress.api.livekit.UpdateStreamRequest;
import org.jegress.api.plan.EgressIds;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.rpc.ListActiveEgressRequest;
import org.jegress.api.rpc.ListActiveEgressResponse;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.status.EgressStatusTracker;
import org.jegress.api.status.EndReason;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressOptions;
import org.jegress.pipeline.JournalRecovery;
import org.jegress.pipeline.UploadObserver;
import org.jegress.server.handler.HandlerMain;
import org.jegress.server.handler.HandlerProcess;
import org.jegress.server.handler.ipc.HandlerCommand;
import org.jegress.server.http.EgressMetrics;
import org.jegress.server.http.PsrpcMetrics;
import org.jegress.server.http.PromRegistry;
import org.jegress.server.psrpc.Ids;
import org.jegress.server.psrpc.Method;
import org.jegress.server.psrpc.PsrpcClient;
import org.jegress.server.psrpc.PsrpcServer;
import org.jegress.server.psrpc.RedisBus;
import org.jegress.server.stats.HostCpu;
import org.jegress.server.stats.ResourceMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drop-in egress worker for an unmodified livekit-server: bids for {@code EgressInternal.StartEgress} requests
 * published on Redis, runs each accepted egress in a handler process (its own, or for light egresses one shared with
 * others up to {@code shared_handler_capacity}), serves {@code EgressHandler.StopEgress}
 * / {@code UpdateStream} on the egress's topic, answers {@code ListActiveEgress}, and reports every state through
 * {@code IOInfo}.
 */
public final class EgressWorker implements AutoCloseable, ResourceMonitor.OverloadHandler, EgressMetrics.WorkerState {

    private static final Logger LOG = LoggerFactory.getLogger(EgressWorker.class);

    /** Upstream: a handler that is not ready within 10 s fails the start with "handler failed to start". */
    static final Duration HANDLER_READY_TIMEOUT = Duration.ofSeconds(10);

    private final EgressConfig config;
    private final String configYaml;
    private final Settings settings;
    private final Admission admission;
    private final RedisBus bus;
    private final PsrpcServer server;
    private final PsrpcClient ioClient;
    private final IoReporter reporter;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final String nodeId = EgressIds.newId("NE_");
    private final ResourceMonitor monitor;
    private final EgressMetrics metrics;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final HandlerPool handlers;
    private volatile PsrpcServer.Registration startRegistration;
    private volatile boolean shuttingDown;
    private volatile boolean terminating;

    /**
     * Worker settings that are not config keys.
     *
     * @param launcher how handler JVMs are started
     * @param clock time source
     * @param zone zone for {@code {time}} in file names
     * @param spareHandler keep one handler JVM started and warmed up for the next egress
     */
    public record Settings(HandlerProcess.Launcher launcher, Clock clock, ZoneId zone, boolean spareHandler) {
    }

    /** One egress this worker runs. */
    private static final class Running {
        final StartEgressRequest request;
        volatile EgressInfo info;
        final HandlerProcess.Slot handler;
        final List<PsrpcServer.Registration> topics;
        /** Set when this worker stopped or killed the handler on purpose (overload, shutdown). */
        volatile HandlerResult result;
        /** The error reported when this worker killed the handler (overload kills). */
        volatile EgressException killError;

        Running(StartEgressRequest request, EgressInfo info, HandlerProcess.Slot handler,
                List<PsrpcServer.Registration> topics) {
            this.request = request;
            this.info = info;
            this.handler = handler;
            this.topics = topics;
        }
    }

    private EgressWorker(EgressConfig config, String configYaml, Settings settings, RedisBus bus) {
        this.config = config;
        this.configYaml = configYaml;
        this.settings = settings;
        this.bus = bus;
        this.admission = new Admission(config.cpuCost(), Runtime.getRuntime().availableProcessors(),
                settings.clock(), config.roomCompositeRenderer());
        PromRegistry registry = new PromRegistry();
        PsrpcMetrics rpcMetrics = new PsrpcMetrics(registry, nodeId);
        this.server = new PsrpcServer(bus, Ids.serverId(), null, rpcMetrics);
        this.ioClient = new PsrpcClient(bus, "IOInfo", Ids.clientId(), config.ioSelectionTimeout(), rpcMetrics);
        this.reporter = new IoReporter(ioClient, config.ioCreateTimeout(), config.ioUpdateTimeout(),
                config.ioWorkers());
        this.monitor = new ResourceMonitor(admission, new HostCpu(), this);
        this.metrics = new EgressMetrics(registry, nodeId, config.clusterId(), admission, this,
                monitor::cpuLoad);
        this.handlers = new HandlerPool(settings.launcher(), configYaml, config.sharedHandlerCapacity(),
                settings.spareHandler(),
                config.sharedHandlerCpuPinning() ? new CpuPlacement(CpuPlacement.allowedCpus()) : null);
    }

    /** Longest wait after an egress was handed to the spare before the next spare starts. */
    static final Duration SPARE_DELAY = Duration.ofSeconds(5);

    /** Upstream: after 10 minutes of failing IO updates the worker gives up and shuts down. */
    static final Duration IO_UNHEALTHY_LIMIT = Duration.ofMinutes(10);

    /** Connects to Redis and starts serving. */
    public static EgressWorker start(EgressConfig config, String configYaml, Settings settings) {
        checkCores(config);
        RedisBus bus = RedisUris.connect(config.redis());
        EgressWorker w = new EgressWorker(config, configYaml, settings, bus);
        w.monitor.start();
        w.watchIoHealth();
        w.warmUpBidding();
        w.server.register(Method.LIST_ACTIVE_EGRESS, "", (ctx, req) -> w.listActive(req));
        w.startRegistration = w.server.register(Method.START_EGRESS, config.clusterId(),
                (ctx, req) -> w.affinity(req), (ctx, req) -> w.startEgress(req));
        w.handlers.replenishSpare();
        w.recoverUploads(null);
        LOG.info("worker {} ({}) serving StartEgress{} on {} cores", w.nodeId, w.server.id(),
                config.clusterId().isEmpty() ? "" : " for cluster " + config.clusterId(), w.admission.cores());
        return w;
    }

    /**
     * Runs the bid's planning once on made-up requests: its first run loads the planner's and the providers' classes,
     * which on a busy small machine took longer than livekit-server's one-second selection window (no bid: "no
     * response from servers").
     */
    private void warmUpBidding() {
        long t0 = System.nanoTime();
        for (StartEgressRequest r : HandlerMain.WARM_UP_REQUESTS) {
            try {
                EgressOptions options = EgressOptions.defaults().withConfig(config).withZone(settings.zone());
                Egress.checkSupported(Egress.planner(options, settings.clock()).plan(r), options);
            } catch (RuntimeException e) {
                LOG.debug("bid warm-up: {}", e.toString());
            }
        }
        LOG.debug("bid warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    /** Upstream's start-up check: refuse to run on fewer cores than the cheapest egress needs. */
    private static void checkCores(EgressConfig config) {
        int cores = Runtime.getRuntime().availableProcessors();
        CoreRequirements req = CoreRequirements.of(config.cpuCost());
        if (!req.sufficient(cores)) {
            LOG.error("not enough cpu: {} cores, the cheapest egress needs {} (recommended {})", cores, req.minimum(),
                    req.recommended());
            throw new EgressException(ErrorCode.UNAVAILABLE, "not enough cpu");
        }
        if (!req.sufficientForAll(cores)) {
            LOG.error("not enough cpu for some egress types: {} cores, the most expensive needs {} (recommended {})",
                    cores, req.maximum(), req.recommended());
        }
    }

    /** Drains the worker when IOInfo has been failing for {@link #IO_UNHEALTHY_LIMIT}. */
    private void watchIoHealth() {
        Thread t = new Thread(() -> {
            while (!shuttingDown) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    return;
                }
                if (reporter.unhealthyFor().compareTo(IO_UNHEALTHY_LIMIT) > 0) {
                    LOG.error("IO updates failing for {} min, shutting down", reporter.unhealthyFor().toMinutes());
                    drain();
                    return;
                }
            }
        }, "io-health");
        t.setDaemon(true);
        t.start();
    }

    public Admission admission() {
        return admission;
    }

    public EgressMetrics metrics() {
        return metrics;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Running egresses and their requests, credentials redacted (for the health endpoint). */
    public Map<String, StartEgressRequest> activeRequests() {
        Map<String, StartEgressRequest> m = new java.util.LinkedHashMap<>();
        running.forEach((id, r) -> m.put(id, redacted(r.request, r.info)));
        return m;
    }

    /** The request with the redacted copy EgressInfo echoes in place of the original, and no token. */
    private static StartEgressRequest redacted(StartEgressRequest req, EgressInfo info) {
        StartEgressRequest.Builder b = req.toBuilder().clearToken();
        switch (info.getRequestCase()) {
            case ROOM_COMPOSITE:
                return b.setRoomComposite(info.getRoomComposite()).build();
            case WEB:
                return b.setWeb(info.getWeb()).build();
            case PARTICIPANT:
                return b.setParticipant(info.getParticipant()).build();
            case TRACK_COMPOSITE:
                return b.setTrackComposite(info.getTrackComposite()).build();
            case TRACK:
                return b.setTrack(info.getTrack()).build();
            case EGRESS:
                return b.setEgress(info.getEgress()).build();
            default:
                return b.build();
        }
    }

    @Override
    public boolean isIdle() {
        return running.isEmpty();
    }

    @Override
    public boolean isDisabled() {
        return shuttingDown || !reporter.healthy();
    }

    @Override
    public boolean isTerminating() {
        return terminating;
    }

    /** Pids of the handler processes, for resource accounting. */
    public Map<String, Long> handlerPids() {
        Map<String, Long> m = new java.util.HashMap<>();
        running.forEach((id, r) -> m.put(id, r.handler.pid()));
        return m;
    }

    // ------------------------------------------------------------------------------------------- EgressInternal

    /**
     * −1 (no bid) when draining, unhealthy or full; 0.5 ({@code idle_affinity}) when idle; 1.0 when busy but with room
     * (upstream). Never a
     * bid for what this build cannot run (another worker on the bus may): bad input still gets a bid, so that its
     * error reaches the caller.
     */
    private float affinity(StartEgressRequest req) {
        admission.setDisabled(isDisabled());
        float bid = admission.bid(req);
        if (bid == 0.5f) {
            bid = (float) config.idleAffinity(); // upstream's 0.5 unless configured otherwise
        }
        if (bid > 0) {
            try {
                EgressOptions options = EgressOptions.defaults().withConfig(config).withZone(settings.zone());
                Egress.checkSupported(Egress.planner(options, settings.clock()).plan(req), options);
            } catch (NotSupportedException e) {
                LOG.info("{}: no bid: {}", req.getEgressId(), e.getMessage());
                return -1;
            } catch (RuntimeException e) {
                // invalid: claimed, and the start reports it
            }
        }
        return bid;
    }

    private EgressInfo startEgress(StartEgressRequest req) throws InterruptedException {
        if (isDisabled()) {
            throw EgressException.shuttingDown();
        }
        if (running.containsKey(req.getEgressId())) {
            throw EgressException.alreadyExists();
        }
        admission.accept(req);
        EgressPlan plan;
        try {
            EgressOptions options = EgressOptions.defaults().withConfig(config).withZone(settings.zone());
            plan = Egress.planner(options, settings.clock()).plan(req);
            Egress.checkSupported(plan, options);
        } catch (RuntimeException e) {
            admission.aborted(req.getEgressId());
            throw e;
        }
        EgressInfo info = plan.info();
        String id = req.getEgressId();

        // The handler's topics exist before livekit-server learns the egress exists, so a StopEgress right after
        // the start always finds us.
        List<PsrpcServer.Registration> topics = List.of(
                server.register(Method.STOP_EGRESS, id, (ctx, r) -> stopEgress(r)),
                server.register(Method.UPDATE_STREAM, id, (ctx, r) -> updateStream(r)));
        CompletableFuture<Void> created = reporter.create(info);
        HandlerProcess.Slot handler;
        try {
            handler = handlers.run(req, info, plan.lightweight());
        } catch (RuntimeException e) {
            topics.forEach(PsrpcServer.Registration::kill);
            admission.aborted(id);
            throw e;
        }
        Running r = new Running(req, info, handler, topics);
        running.put(id, r);
        monitor.register(id, handler.pid());
        // The next spare starts once this egress records (or ends, or after a few seconds): its JVM and GStreamer
        // start-up would otherwise take CPU from this egress's own start on a small machine.
        CompletableFuture<Void> started = new CompletableFuture<>();
        started.completeOnTimeout(null, SPARE_DELAY.toMillis(), TimeUnit.MILLISECONDS)
                .thenRun(handlers::replenishSpare);
        handler.onUpdate(update -> {
            r.info = update;
            reporter.update(update);
            if (update.getStatus() != EgressStatus.EGRESS_STARTING) {
                started.complete(null);
            }
        });
        handler.onUpload(stat -> {
            if (stat.getBackupWrite()) {
                metrics.backupWrite(stat.getContentType());
            } else {
                metrics.upload(stat.getContentType(), stat.getStatus(), stat.getCustomEndpoint(), stat.getMillis());
            }
        });
        handler.ended().thenAccept(how -> {
            started.complete(null);
            handlerExited(r, how);
        });

        try {
            long startup = handler.ready().get(HANDLER_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("{}: handler ready in {} ms", id, startup);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("{}: handler failed to start: {}", id, e.getCause() == null ? e : e.getCause().getMessage());
            if (handler.process().isShared()) {
                handler.stop(EndReason.FAILURE);
            } else {
                handler.kill();
            }
            throw new EgressException(ErrorCode.INTERNAL, "handler failed to start");
        }
        try {
            created.get(config.ioCreateTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.warn("{}: CreateEgress failed, aborting: {}", id, cause.getMessage());
            handler.stop(EndReason.FAILURE);
            throw cause instanceof EgressException ? (EgressException) cause
                    : EgressException.internal(String.valueOf(cause.getMessage()), cause);
        }
        return info;
    }

    private ListActiveEgressResponse listActive(ListActiveEgressRequest req) {
        return ListActiveEgressResponse.newBuilder().addAllEgressIds(running.keySet()).build();
    }

    // ------------------------------------------------------------------------------------------- EgressHandler

    private EgressInfo stopEgress(StopEgressRequest req) throws InterruptedException {
        Running r = running.get(req.getEgressId());
        if (r == null) {
            throw new EgressException(ErrorCode.NOT_FOUND, "egress not found");
        }
        return await(r.handler.stop(EndReason.API));
    }

    private EgressInfo updateStream(UpdateStreamRequest req) throws InterruptedException {
        Running r = running.get(req.getEgressId());
        if (r == null) {
            throw new EgressException(ErrorCode.NOT_FOUND, "egress not found");
        }
        return await(r.handler.request(HandlerCommand.newBuilder().setUpdateStream(req))
                .thenApply(reply -> reply.getInfo()));
    }

    private static EgressInfo await(CompletableFuture<EgressInfo> f) throws InterruptedException {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof EgressException ? (EgressException) c
                    : EgressException.internal(String.valueOf(c.getMessage()), c);
        } catch (TimeoutException e) {
            throw new EgressException(ErrorCode.DEADLINE_EXCEEDED, "handler did not answer");
        }
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /**
     * The egress is over: report its final state, or, if its process died without one (crash, SIGKILL), a FAILED
     * state with error_code 500 built from the last state it reported.
     *
     * @param how null when the final state arrived, else how the process died
     */
    private void handlerExited(Running r, String how) {
        String id = r.request.getEgressId();
        EgressInfo last = how == null ? r.handler.finished().getNow(null) : null;
        HandlerResult result = r.result;
        if (last != null && r.killError != null) {
            // killed by this worker inside a shared handler: stopped there, reported as the kill it was
            EgressStatusTracker t = new EgressStatusTracker(last, settings.clock());
            t.failed(r.killError);
            last = t.snapshot();
        }
        if (last == null) {
            EgressStatusTracker t = new EgressStatusTracker(r.info, settings.clock());
            if (!t.isTerminal()) {
                if (r.killError != null) {
                    t.failed(r.killError);
                } else {
                    t.crashed(how);
                }
            }
            last = t.snapshot();
            if (result == null) {
                result = HandlerResult.PROCESS_ERROR;
            }
            // Upstream also stops accepting work after a 500; we keep serving, since one crashed handler
            // says nothing about the others, and the crash is visible in the handler results metric.
            LOG.error("{}: handler exited without a final state ({})", id, how);
            // what it recorded or was uploading is in its journal: store it now
            recoverUploads(id);
        }
        if (result == null) {
            result = HandlerResult.COMPLETED;
        }
        reporter.update(last);
        r.topics.forEach(PsrpcServer.Registration::deregister);
        metrics.handlerResult(admission.requestTypeOf(id).orElse("unknown"), result);
        admission.ended(id);
        monitor.unregister(id);
        running.remove(id);
        handlers.ended(r.handler.process());
        LOG.info("{}: {} {}", id, last.getStatus(), last.getError());
        if (shuttingDown && running.isEmpty()) {
            drained.complete(null);
        }
    }

    /**
     * Stores what dead handlers left in their upload journals (all of them at start-up, one egress's after its
     * handler died), in the background, counted in the upload metrics like any upload.
     *
     * @param egressId the egress whose handler died, or null for every journal
     */
    private void recoverUploads(String egressId) {
        EgressOptions options = HandlerMain.options(config).withUploadObserver(new UploadObserver() {
            @Override
            public void uploaded(String contentType, String status, boolean customEndpoint, long millis) {
                metrics.upload(contentType, status, customEndpoint, millis);
            }

            @Override
            public void backupWritten(String contentType) {
                metrics.backupWrite(contentType);
            }
        });
        Thread t = new Thread(() -> {
            List<JournalRecovery.Outcome> done = egressId == null ? JournalRecovery.recoverAll(options)
                    : JournalRecovery.recover(egressId, options);
            for (JournalRecovery.Outcome o : done) {
                LOG.info("{}: recovered upload of {}: {} {}", o.egressId(), o.entry().objectPath(),
                        o.entry().state(), o.entry().location() == null ? "" : o.entry().location());
            }
        }, "upload-recovery");
        t.setDaemon(true);
        t.start();
    }

    /**
     * SIGTERM / SIGQUIT: stop bidding at once, let running egresses finish, flush the IO updates, release Redis.
     * Blocks until done.
     */
    public void drain() {
        terminating = true;
        shuttingDown = true;
        handlers.close();
        admission.setDisabled(true);
        PsrpcServer.Registration reg = startRegistration;
        if (reg != null) {
            reg.deregister();
        }
        LOG.info("draining: {} egress still running", running.size());
        if (running.isEmpty()) {
            drained.complete(null);
        }
        drained.join();
        close();
    }

    /** SIGINT: stop every egress now (EOS, "Process killed"), wait for them to finalise, then exit as drain does. */
    public void stopAll() {
        terminating = true;
        shuttingDown = true;
        handlers.close();
        admission.setDisabled(true);
        running.values().forEach(r -> {
            r.result = HandlerResult.KILLED_SHUTDOWN;
            r.handler.stop(EndReason.KILLED);
        });
        drain();
    }

    // ------------------------------------------------------------------------------------------- overload

    @Override
    public void stop(String egressId, HandlerResult reason) {
        Running r = running.get(egressId);
        if (r != null) {
            LOG.warn("{}: stopping, node CPU exhausted", egressId);
            r.result = reason;
            r.handler.stop(EndReason.CPU_EXHAUSTED);
        }
    }

    @Override
    public void kill(String egressId, HandlerResult reason, EgressException error) {
        Running r = running.get(egressId);
        if (r != null) {
            LOG.error("{}: killing handler: {}", egressId, error.getMessage());
            r.result = reason;
            r.killError = error;
            r.handler.kill();
        }
    }

    /** The pipeline graph of a running egress, asked of its handler; empty if it does not run here. */
    public java.util.Optional<CompletableFuture<String>> pipelineDot(String egressId) {
        Running r = running.get(egressId);
        return r == null ? java.util.Optional.empty() : java.util.Optional.of(r.handler.dot());
    }

    /** Completes once the worker has shut down (after a drain, a stop-all, or its own IO watchdog). */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (closed.isDone()) {
            return;
        }
        handlers.close();
        monitor.close();
        reporter.flush(Duration.ofSeconds(30));
        server.kill();
        reporter.close();
        ioClient.close();
        bus.close();
        closed.complete(null);
    }

    /** True when every egress that ever ran here has finished and been reported. */
    boolean idle() {
        return running.isEmpty();
    }

    EgressStatus statusOf(String egressId) {
        Running r = running.get(egressId);
        return r == null ? null : r.info.getStatus();
    }
}
