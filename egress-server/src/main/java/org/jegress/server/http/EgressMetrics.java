package org.jegress.server.http;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;

import com.codahale.metrics.Counter;
import org.jegress.api.admission.Admission;
import org.jegress.api.admission.HandlerResult;

/**
 * The worker's Prometheus metrics with upstream's names and label sets ({@code stats/monitor_prom.go}), registered
 * in a {@link PromRegistry} and read live from {@link Admission}, the worker state and the CPU load at each scrape:
 *
 * <ul>
 *   <li>{@code livekit_egress_available} — 1 only while no egress is running or starting (upstream's current
 *       meaning, despite the name);</li>
 *   <li>{@code livekit_egress_can_accept_request} — 1 when not disabled and a video web request would be admitted;</li>
 *   <li>{@code livekit_egress_is_disabled}, {@code livekit_egress_is_terminating};</li>
 *   <li>{@code livekit_egress_requests{type}} — active egresses per request type (every type present, 0 included);</li>
 *   <li>{@code livekit_node_cpu_load} — host CPU load 0..1, labelled {@code node_type="EGRESS"} as well;</li>
 *   <li>{@code livekit_egress_handler_results_total{type,result}} — how handler processes ended
 *       ({@link #handlerResult});</li>
 *   <li>{@code livekit_load_ratio{type="cpu"|"memory"}} — load / {@code max_cpu_utilization}, memory used /
 *       {@code max_memory} (only when {@code max_memory} is set); can exceed 1;</li>
 *   <li>{@code livekit_egress_proc_rss_bytes}, {@code livekit_egress_cgroup_memory_bytes},
 *       {@code livekit_egress_cgroup_read_success}, {@code livekit_egress_would_reject_cgroup} — memory accounting;</li>
 *   <li>{@code livekit_egress_pipeline_uploads{type,status,custom_endpoint}}, its response-time histogram
 *       {@code livekit_egress_pipline_upload_response_time_ms} (upstream's spelling) and
 *       {@code livekit_egress_backup_storage_writes{output_type}} ({@link #upload}, {@link #backupWrite});</li>
 *   <li>JVM basics without node labels, in the Prometheus Java client's names: {@code jvm_memory_used_bytes{area}},
 *       {@code jvm_memory_max_bytes{area="heap"}}, {@code jvm_threads_current}, {@code process_cpu_seconds_total},
 *       {@code process_start_time_seconds}.</li>
 * </ul>
 *
 * All {@code livekit_*} series carry the constant labels {@code node_id} and {@code cluster_id}, as upstream. Not
 * exported, because nothing here produces them: upstream's PulseAudio metrics ({@code livekit_load_ratio{type="pulse"}},
 * {@code livekit_egress_pulse_sinks}; each web egress has its own PulseAudio server here). The psrpc metrics
 * ({@link PsrpcMetrics}) share the registry.
 * The upload metrics ({@link #upload}) are counted from what the handlers report, so totals outlive the handlers.
 */
public final class EgressMetrics {

    /** The worker state behind the status gauges; implemented by the worker (upstream's {@code stats.Service}). */
    public interface WorkerState {
        /** No egress running or starting on this node (upstream: the server's active request count is 0). */
        boolean isIdle();

        /** Not taking requests: shutting down, or the IO client unhealthy. */
        boolean isDisabled();

        /** SIGTERM (or SIGQUIT) was received and the worker is draining. */
        boolean isTerminating();
    }

    /** Request type labels, as {@code Admission.activeByType()} reports them. */
    private static final String[] TYPES = {"room_composite", "web", "participant", "track_composite", "track",
        "template", "media"};

    static final String HANDLER_RESULTS = "livekit_egress_handler_results_total";

    private final PromRegistry registry;
    private final Map<String, String> nodeLabels;

    /**
     * Registers the metrics.
     *
     * @param registry  where to register
     * @param nodeId    this worker's node id ({@code NE_…})
     * @param clusterId the configured {@code cluster_id} (may be empty)
     * @param admission admission control, read at each scrape
     * @param state     worker state, read at each scrape
     * @param cpuLoad   the host CPU load of the last sample, 0..1 ({@code ResourceMonitor::cpuLoad})
     */
    public EgressMetrics(PromRegistry registry, String nodeId, String clusterId, Admission admission,
                         WorkerState state, DoubleSupplier cpuLoad) {
        this.registry = Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(cpuLoad, "cpuLoad");
        this.nodeLabels = Map.of("node_id", nodeId, "cluster_id", clusterId);

        registry.gauge("livekit_egress_available",
                "1 when no egress is running on this node, else 0", nodeLabels, () -> bit(state.isIdle()));
        registry.gauge("livekit_egress_can_accept_request",
                "1 when the node is enabled and would admit a video web egress, else 0", nodeLabels,
                () -> bit(!state.isDisabled() && admission.canAcceptVideoWeb()));
        registry.gauge("livekit_egress_is_disabled",
                "1 when the node takes no new egress (shutting down or unhealthy)", nodeLabels,
                () -> bit(state.isDisabled()));
        registry.gauge("livekit_egress_is_terminating",
                "1 after SIGTERM, while running egresses drain", nodeLabels, () -> bit(state.isTerminating()));
        registry.gauge("livekit_node_cpu_load", "CPU load of the node, 0 to 1",
                with(nodeLabels, "node_type", "EGRESS"), cpuLoad::getAsDouble);
        for (String type : TYPES) {
            registry.gauge("livekit_egress_requests", "Active egress requests by type", with(nodeLabels, "type", type),
                    () -> admission.activeByType().getOrDefault(type, 0));
        }

        String ratioHelp = "Per-resource utilization ratio (0 = idle, can exceed 1 under overload)";
        double maxUtilization = admission.config().maxCpuUtilization();
        registry.gauge("livekit_load_ratio", ratioHelp, with(nodeLabels, "type", "cpu"),
                () -> cpuLoad.getAsDouble() / maxUtilization);
        if (admission.config().maxMemory() > 0) {
            registry.gauge("livekit_load_ratio", ratioHelp, with(nodeLabels, "type", "memory"),
                    () -> admission.memoryLoadRatio().orElse(0));
        }

        registry.gauge("livekit_egress_proc_rss_bytes", "Per-process RSS sum in bytes", nodeLabels,
                admission::procRssBytes);
        registry.gauge("livekit_egress_cgroup_memory_bytes", "Cgroup memory usage in bytes", nodeLabels,
                () -> admission.cgroupMemoryBytes().orElse(0));
        registry.gauge("livekit_egress_cgroup_read_success",
                "Whether cgroup memory read succeeded (1) or failed (0)", nodeLabels,
                () -> bit(admission.cgroupMemoryBytes().isPresent()));
        registry.gauge("livekit_egress_would_reject_cgroup",
                "Whether request would be rejected using cgroup mode (1) or not (0)", nodeLabels,
                () -> bit(admission.wouldRejectCgroup().orElse(false)));
        registry.describe(HANDLER_RESULTS, "Total number of egress handler outcomes, by result",
                PromRegistry.Type.COUNTER);

        registerJvm(registry);
    }

    /** The registry the metrics live in (to add more, or to serve it). */
    public PromRegistry registry() {
        return registry;
    }

    /**
     * Counts how a handler process ended, in {@code livekit_egress_handler_results_total}. Upstream records it when
     * the process exits: the kill reason if the worker killed or stopped it, else {@code process_error} for an
     * abnormal exit, else {@code completed}.
     *
     * @param requestType the egress's request type label ({@code Admission.requestTypeOf} before
     *                    {@code ended}, or {@code EgressUsage.requestType()}); "unknown" if not known
     */
    public void handlerResult(String requestType, HandlerResult result) {
        Map<String, String> labels = new TreeMap<>(nodeLabels);
        labels.put("type", requestType == null ? "unknown" : requestType);
        labels.put("result", result.label());
        Counter c = registry.counter(HANDLER_RESULTS, null, labels);
        c.inc();
    }

    static final String UPLOADS = "livekit_egress_pipeline_uploads";
    /** Upstream's name, typo included. */
    static final String UPLOAD_TIME = "livekit_egress_pipline_upload_response_time_ms";
    static final String BACKUP_WRITES = "livekit_egress_backup_storage_writes";
    private static final double[] UPLOAD_BUCKETS = {10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 20000,
        30000};

    /**
     * One upload to primary storage ({@code livekit_egress_pipeline_uploads} and its response-time histogram), as
     * upstream's handler monitor counts them.
     *
     * @param contentType the object's MIME type ({@code type})
     * @param status "success", "4xx", "5xx" or "internal"
     */
    public void upload(String contentType, String status, boolean customEndpoint, long millis) {
        Map<String, String> labels = new TreeMap<>(nodeLabels);
        labels.put("type", contentType);
        labels.put("status", status);
        labels.put("custom_endpoint", Boolean.toString(customEndpoint));
        registry.counter(UPLOADS, "Uploads to storage by type and status", labels).inc();
        registry.observe(UPLOAD_TIME, "Upload response time in ms", labels, UPLOAD_BUCKETS, millis);
    }

    /** An object written to backup storage ({@code livekit_egress_backup_storage_writes}). */
    public void backupWrite(String contentType) {
        Map<String, String> labels = new TreeMap<>(nodeLabels);
        labels.put("output_type", contentType);
        registry.counter(BACKUP_WRITES, "Objects written to backup storage", labels).inc();
    }

    private static void registerJvm(PromRegistry registry) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        String used = "Used bytes of a given JVM memory area";
        registry.gauge("jvm_memory_used_bytes", used, Map.of("area", "heap"),
                () -> memory.getHeapMemoryUsage().getUsed());
        registry.gauge("jvm_memory_used_bytes", used, Map.of("area", "nonheap"),
                () -> memory.getNonHeapMemoryUsage().getUsed());
        registry.gauge("jvm_memory_max_bytes", "Max bytes of a given JVM memory area (-1 when unbounded)",
                Map.of("area", "heap"), () -> memory.getHeapMemoryUsage().getMax());
        registry.gauge("jvm_threads_current", "Current thread count of the JVM", Map.of(),
                threads::getThreadCount);
        registry.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds",
                Map.of(), () -> runtime.getStartTime() / 1000.0);
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            com.sun.management.OperatingSystemMXBean sun = (com.sun.management.OperatingSystemMXBean) os;
            registry.counterFunction("process_cpu_seconds_total", "Total user and system CPU time spent in seconds",
                    Map.of(), () -> sun.getProcessCpuTime() < 0 ? null : sun.getProcessCpuTime() / 1e9);
        }
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new TreeMap<>(base);
        m.put(key, value);
        return m;
    }
}
