package org.jegress.server.cli;

import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import org.jegress.api.config.EgressConfig;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.server.handler.HandlerProcess;
import org.jegress.server.http.DebugEndpoint;
import org.jegress.server.http.HealthEndpoint;
import org.jegress.server.http.MetricsEndpoint;
import org.jegress.server.worker.EgressWorker;
import org.jegress.sources.web.TemplateServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code egress server} runs: the worker plus its health, Prometheus and debug endpoints and the template server
 * the room-composite handlers' Chromium loads the default templates from.
 */
final class WorkerProcess {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);

    /**
     * Handler JVMs: a small heap and serial GC (one heavy egress or up to {@code shared_handler_capacity} light ones
     * per process; media lives in GStreamer, not the Java heap), C1 only (short start-up, no C2 compile threads),
     * small thread stacks.
     */
    static final List<String> HANDLER_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k", "-Xms16m", "-Xmx192m", "-XX:MaxMetaspaceSize=96m", "-XX:ReservedCodeCacheSize=32m");

    /** The handler JVM options plus the config's {@code logging.level} for the handlers' own logs. */
    static List<String> handlerOptions(EgressConfig config) {
        List<String> options = new java.util.ArrayList<>(HANDLER_JVM_OPTIONS);
        options.add("-D" + LogLevel.PROPERTY + "=" + LogLevel.slf4j(config.logging().level()));
        return options;
    }

    /** {@code EGRESS_SPARE_HANDLER=false} turns the warm spare handler off (one idle JVM less, slower starts). */
    static final String SPARE_HANDLER_ENV = "EGRESS_SPARE_HANDLER";

    private final EgressWorker worker;
    private final Optional<HealthEndpoint> health;
    private final Optional<MetricsEndpoint> metrics;
    private final Optional<TemplateServer> templates;
    private final Optional<DebugEndpoint> debug;

    private WorkerProcess(EgressWorker worker, Optional<HealthEndpoint> health, Optional<MetricsEndpoint> metrics,
            Optional<TemplateServer> templates, Optional<DebugEndpoint> debug) {
        this.worker = worker;
        this.health = health;
        this.metrics = metrics;
        this.templates = templates;
        this.debug = debug;
    }

    static WorkerProcess start(EgressConfig config, String yaml) {
        EgressWorker w = EgressWorker.start(config, yaml, new EgressWorker.Settings(
                HandlerProcess.Launcher.fromCurrentJvm(handlerOptions(config)), Clock.systemUTC(),
                ZoneId.systemDefault(), !"false".equalsIgnoreCase(System.getenv(SPARE_HANDLER_ENV))));
        Optional<HealthEndpoint> health = HealthEndpoint.startIfEnabled(config.healthPort(),
                new HealthEndpoint.Source() {
                    @Override
                    public double availableCpu() {
                        return w.admission().availableCpu();
                    }

                    @Override
                    public java.util.Map<String, StartEgressRequest> activeRequests() {
                        return w.activeRequests();
                    }
                });
        Optional<MetricsEndpoint> metrics = MetricsEndpoint.startIfEnabled(config.prometheusPort(),
                w.metrics().registry());
        return new WorkerProcess(w, health, metrics, templates(config.templatePort()),
                DebugEndpoint.startIfEnabled(config.debugHandlerPort(), w::pipelineDot));
    }

    /** The built-in templates on {@code template_port} (0 = off); a port taken by another process is only logged. */
    private static Optional<TemplateServer> templates(int port) {
        if (port <= 0) {
            return Optional.empty();
        }
        try {
            TemplateServer t = TemplateServer.start(port);
            LOG.info("templates served on {}", t.baseUrl());
            return Optional.of(t);
        } catch (java.io.IOException e) {
            LOG.warn("template server: cannot listen on port {}: {}; room composites need template_base or "
                    + "custom_base_url to reach a template", port, e.getMessage());
            return Optional.empty();
        }
    }

    /** Completes when the worker shut down by itself or was asked to. */
    java.util.concurrent.CompletableFuture<Void> closed() {
        return worker.closed();
    }

    void drain() {
        worker.drain();
        close();
    }

    void stopAll() {
        worker.stopAll();
        close();
    }

    private void close() {
        health.ifPresent(HealthEndpoint::close);
        metrics.ifPresent(MetricsEndpoint::close);
        templates.ifPresent(TemplateServer::close);
        debug.ifPresent(DebugEndpoint::close);
    }
}
