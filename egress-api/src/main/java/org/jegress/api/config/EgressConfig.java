package org.jegress.api.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The egress worker configuration: every key of the Go egress service config, with upstream defaults applied.
 * Built by {@link ConfigLoader}; immutable. Accessors are named after the YAML keys in camelCase.
 */
public final class EgressConfig {
    private final RedisConfig redis;
    private final String apiKey;
    private final String apiSecret;
    private final String wsUrl;
    private final LoggingConfig logging;
    private final String templateBase;
    private final String clusterId;
    private final boolean enableChromeSandbox;
    private final int maxUploadQueue;
    private final boolean disallowLocalStorage;
    private final Duration ioCreateTimeout;
    private final Duration ioUpdateTimeout;
    private final Duration ioSelectionTimeout;
    private final int ioWorkers;
    private final SessionLimits sessionLimits;
    private final StorageConfig storage;
    private final StorageConfig backup;
    private final String s3AssumeRoleKey;
    private final String s3AssumeRoleSecret;
    private final String s3AssumeRoleArn;
    private final String s3AssumeRoleExternalId;
    private final boolean insecure;
    private final DebugConfig debug;
    private final Map<String, Object> chromeFlags;
    private final LatencyConfig latency;
    private final Map<String, LatencyConfig> latencyOverrides;
    private final int videoEncoderThreads;
    private final boolean enableOneShotSenderReportSync;
    private final boolean enableSyncEngine;
    private final AudioTempoController audioTempoController;
    private final TestOverrides testOverrides;
    private final int healthPort;
    private final int templatePort;
    private final int prometheusPort;
    private final int debugHandlerPort;
    private final int sharedHandlerCapacity;
    private final boolean sharedHandlerCpuPinning;
    private final double idleAffinity;
    private final String roomCompositeRenderer;
    private final int pulseSinkReapGraceSec;
    private final CpuCostConfig cpuCost;
    private final String localDirectory;
    private final Map<String, String> storageEndpoints;
    private final List<String> warnings;

    EgressConfig(Builder b) {
        this.redis = b.redis;
        this.apiKey = b.apiKey;
        this.apiSecret = b.apiSecret;
        this.wsUrl = b.wsUrl;
        this.logging = b.logging;
        this.templateBase = b.templateBase;
        this.clusterId = b.clusterId;
        this.enableChromeSandbox = b.enableChromeSandbox;
        this.maxUploadQueue = b.maxUploadQueue;
        this.disallowLocalStorage = b.disallowLocalStorage;
        this.ioCreateTimeout = b.ioCreateTimeout;
        this.ioUpdateTimeout = b.ioUpdateTimeout;
        this.ioSelectionTimeout = b.ioSelectionTimeout;
        this.ioWorkers = b.ioWorkers;
        this.sessionLimits = b.sessionLimits;
        this.storage = b.storage;
        this.backup = b.backup;
        this.s3AssumeRoleKey = b.s3AssumeRoleKey;
        this.s3AssumeRoleSecret = b.s3AssumeRoleSecret;
        this.s3AssumeRoleArn = b.s3AssumeRoleArn;
        this.s3AssumeRoleExternalId = b.s3AssumeRoleExternalId;
        this.insecure = b.insecure;
        this.debug = b.debug;
        this.chromeFlags = b.chromeFlags;
        this.latency = b.latency;
        this.latencyOverrides = Map.copyOf(b.latencyOverrides);
        this.videoEncoderThreads = b.videoEncoderThreads;
        this.enableOneShotSenderReportSync = b.enableOneShotSenderReportSync;
        this.enableSyncEngine = b.enableSyncEngine;
        this.audioTempoController = b.audioTempoController;
        this.testOverrides = b.testOverrides;
        this.healthPort = b.healthPort;
        this.templatePort = b.templatePort;
        this.prometheusPort = b.prometheusPort;
        this.debugHandlerPort = b.debugHandlerPort;
        this.sharedHandlerCapacity = b.sharedHandlerCapacity;
        this.sharedHandlerCpuPinning = b.sharedHandlerCpuPinning;
        this.idleAffinity = b.idleAffinity;
        this.roomCompositeRenderer = b.roomCompositeRenderer == null ? ConfigLoader.RENDERER_CHROME
                : b.roomCompositeRenderer;
        this.pulseSinkReapGraceSec = b.pulseSinkReapGraceSec;
        this.cpuCost = b.cpuCost;
        this.localDirectory = b.localDirectory;
        this.storageEndpoints = Map.copyOf(b.storageEndpoints);
        this.warnings = List.copyOf(b.warnings);
    }

    /**
     * {@code redis}: Redis shared with livekit-server; never {@code null}, {@link RedisConfig#isConfigured()} tells
     * whether an address was given.
     */
    public RedisConfig redis() {
        return redis;
    }

    /** {@code api_key}: API key for room tokens; falls back to {@code LIVEKIT_API_KEY}. */
    public String apiKey() {
        return apiKey;
    }

    /** {@code api_secret}: API secret for room tokens; falls back to {@code LIVEKIT_API_SECRET}. */
    public String apiSecret() {
        return apiSecret;
    }

    /** {@code ws_url}: livekit-server WebSocket URL; falls back to {@code LIVEKIT_WS_URL}. */
    public String wsUrl() {
        return wsUrl;
    }

    /** {@code logging}: Logger settings; level defaults to info. */
    public LoggingConfig logging() {
        return logging;
    }

    /**
     * {@code template_base}: Base URL of the room composite templates; default {@code
     * http://localhost:<template_port>/}.
     */
    public String templateBase() {
        return templateBase;
    }

    /** {@code cluster_id}: Cluster this worker serves; scopes the StartEgress topic. Empty = no cluster. */
    public String clusterId() {
        return clusterId;
    }

    /** {@code enable_chrome_sandbox}: Run Chrome with its sandbox (needs extra container privileges). */
    public boolean enableChromeSandbox() {
        return enableChromeSandbox;
    }

    /** {@code max_upload_queue}: Upload queue capacity, in minutes of segments; default 60. */
    public int maxUploadQueue() {
        return maxUploadQueue;
    }

    /** {@code disallow_local_storage}: Reject requests whose output would stay on local disk only. */
    public boolean disallowLocalStorage() {
        return disallowLocalStorage;
    }

    /** {@code io_create_timeout}: Timeout of the CreateEgress IO call; default 15s. */
    public Duration ioCreateTimeout() {
        return ioCreateTimeout;
    }

    /** {@code io_update_timeout}: Timeout of UpdateEgress IO calls; default 30s. */
    public Duration ioUpdateTimeout() {
        return ioUpdateTimeout;
    }

    /** {@code io_selection_timeout}: Timeout of the affinity stage of IO RPCs; zero = psrpc default. */
    public Duration ioSelectionTimeout() {
        return ioSelectionTimeout;
    }

    /** {@code io_workers}: Workers sending EgressInfo updates; default 5. */
    public int ioWorkers() {
        return ioWorkers;
    }

    /** {@code session_limits}: Per-egress duration and size limits; zero = unlimited. */
    public SessionLimits sessionLimits() {
        return sessionLimits;
    }

    /** {@code storage}: Default upload target for requests without one, or {@code null}. */
    public StorageConfig storage() {
        return storage;
    }

    /** {@code backup}: Upload target used after the primary one fails, or {@code null}. */
    public StorageConfig backup() {
        return backup;
    }

    /**
     * {@code s3_assume_role_key}: Access key used for S3 AssumeRole uploads whose request carries no key; empty =
     * AssumeRole without a key is refused.
     */
    public String s3AssumeRoleKey() {
        return s3AssumeRoleKey;
    }

    /** {@code s3_assume_role_secret}: Secret paired with {@link #s3AssumeRoleKey()}. */
    public String s3AssumeRoleSecret() {
        return s3AssumeRoleSecret;
    }

    /** {@code s3_assume_role_arn}: Role assumed for S3 uploads whose request names none. */
    public String s3AssumeRoleArn() {
        return s3AssumeRoleArn;
    }

    /** {@code s3_assume_role_external_id}: External ID used with {@link #s3AssumeRoleArn()}. */
    public String s3AssumeRoleExternalId() {
        return s3AssumeRoleExternalId;
    }

    /** {@code insecure}: Let Chrome connect to an insecure WebSocket (bypasses Chrome's local-network checks). */
    public boolean insecure() {
        return insecure;
    }

    /** {@code debug}: Diagnostics switches and debug upload target. */
    public DebugConfig debug() {
        return debug;
    }

    /** {@code chrome_flags}: Extra Chrome command-line flags, name to value. */
    public Map<String, Object> chromeFlags() {
        return chromeFlags;
    }

    /** {@code latency}: Pipeline latencies, with defaults applied. */
    public LatencyConfig latency() {
        return latency;
    }

    /**
     * {@code latency_overrides}: Latencies per request type ({@code room_composite}, {@code web}, {@code template},
     * ...), each with defaults applied.
     */
    public Map<String, LatencyConfig> latencyOverrides() {
        return latencyOverrides;
    }

    /** {@code video_encoder_threads}: x264 encoder threads; 0 = encoder chooses. */
    public int videoEncoderThreads() {
        return videoEncoderThreads;
    }

    /**
     * {@code enable_one_shot_sender_report_sync}: Rollout flag: one-shot RTCP sender-report correction for room
     * composite and track egress.
     */
    public boolean enableOneShotSenderReportSync() {
        return enableOneShotSenderReportSync;
    }

    /** {@code enable_sync_engine}: Use the Chrome-style sync engine for cross-participant and A/V alignment. */
    public boolean enableSyncEngine() {
        return enableSyncEngine;
    }

    /** {@code audio_tempo_controller}: Audio tempo drift compensation. */
    public AudioTempoController audioTempoController() {
        return audioTempoController;
    }

    /** {@code test_overrides}: Fault injection for tests. */
    public TestOverrides testOverrides() {
        return testOverrides;
    }

    /** {@code health_port}: Port of the health endpoint; 0 = disabled. */
    public int healthPort() {
        return healthPort;
    }

    /** {@code template_port}: Port of the built-in template server; default 7980. */
    public int templatePort() {
        return templatePort;
    }

    /** {@code prometheus_port}: Port of the Prometheus endpoint; 0 = disabled. */
    public int prometheusPort() {
        return prometheusPort;
    }

    /**
     * {@code shared_handler_capacity}: how many light egresses (no browser, no video decoding or encoding: track
     * egress, audio-only track composite, WebSocket) one handler process hosts; 1 runs every egress
     * in a process of its own. Default 50. Not an upstream key.
     */
    public int sharedHandlerCapacity() {
        return sharedHandlerCapacity;
    }

    /**
     * {@code shared_handler_cpu_pinning}: each shared handler process runs on one CPU of the worker's, the least
     * taken, so that its many streaming threads hand packets to each other on one core. Default true. Not an upstream
     * key.
     */
    public boolean sharedHandlerCpuPinning() {
        return sharedHandlerCpuPinning;
    }

    /**
     * {@code idle_affinity}: the bid of an idle worker for {@code StartEgress}, default 0.5 (upstream's). livekit-server
     * takes a 1.0 bid at once but waits 500 ms for a better one otherwise, so that work packs onto busy workers; a fleet
     * of only these workers may set 1.0 to start on idle workers at once, spreading work instead. Not an upstream key.
     */
    public double idleAffinity() {
        return idleAffinity;
    }

    /**
     * {@code room_composite_renderer}: who draws a room composite's layout, {@code chrome} (default: Chromium opens
     * the template page, as upstream) or {@code native} (GStreamer's compositor from the room's tracks, no browser). A
     * request with {@code custom_base_url} always uses Chromium; a request's layout may pick the renderer with a
     * {@code native:} or {@code chrome:} prefix. Not an upstream key.
     */
    public String roomCompositeRenderer() {
        return roomCompositeRenderer;
    }

    /** {@code debug_handler_port}: Port of the debug handler; 0 = disabled. */
    public int debugHandlerPort() {
        return debugHandlerPort;
    }

    /**
     * {@code pulse_sink_reap_grace_sec}: Seconds an orphaned PulseAudio sink survives before it is unloaded; default
     * 30, negative = never unload.
     */
    public int pulseSinkReapGraceSec() {
        return pulseSinkReapGraceSec;
    }

    /** {@code cpu_cost}: Admission costs and overload limits. */
    public CpuCostConfig cpuCost() {
        return cpuCost;
    }

    /**
     * {@code local_directory} (seed 001; current upstream ignores it): where files are staged before they are
     * uploaded, where relative local outputs are written, and where the upload journal is kept, so a crash leaves
     * them on a disk the operator chose; {@code null} = a temporary directory.
     */
    public String localDirectory() {
        return localDirectory;
    }

    /**
     * {@code storage_endpoints} (not upstream): where a provider's API is reached when it is not the public cloud,
     * by provider ({@code azure}: the account's blob service URL, {@code {account}} replaced by the account name;
     * {@code gcp}: the JSON API root). Applies to the request's uploads and the {@code storage} and {@code backup}
     * blocks alike: emulators, sovereign clouds, private endpoints. Empty = the public endpoints.
     */
    public Map<String, String> storageEndpoints() {
        return storageEndpoints;
    }

    /**
     * Problems found while loading that did not stop it: values of the wrong type (replaced by the default),
     * unknown keys, deprecated keys and replaced out-of-range values. Empty for a clean file.
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The latencies for one request type: its {@code latency_overrides} entry when present (upstream replaces the
     * whole block, so unset fields take the defaults, not the {@code latency} values), else {@link #latency()}.
     */
    public LatencyConfig latencyFor(String requestType) {
        return latencyOverrides.getOrDefault(requestType, latency);
    }

    /**
     * The whole config as nested maps of its YAML keys, with durations in Go syntax and every non-empty secret
     * (API secret, S3 AssumeRole secret, Redis and proxy passwords, storage secrets) replaced by
     * {@code "<redacted>"}. Safe to log.
     */
    public Map<String, Object> redacted() {
        return ConfigMaps.toMap(this, true);
    }

    /** {@link #redacted()} as text; never contains secrets. */
    @Override
    public String toString() {
        return "EgressConfig" + redacted();
    }

    /** Mutable staging area filled by {@link ConfigLoader}. */
    static final class Builder {
        RedisConfig redis;
        String apiKey;
        String apiSecret;
        String wsUrl;
        LoggingConfig logging;
        String templateBase;
        String clusterId;
        boolean enableChromeSandbox;
        int maxUploadQueue;
        boolean disallowLocalStorage;
        Duration ioCreateTimeout;
        Duration ioUpdateTimeout;
        Duration ioSelectionTimeout;
        int ioWorkers;
        SessionLimits sessionLimits;
        StorageConfig storage;
        StorageConfig backup;
        String s3AssumeRoleKey;
        String s3AssumeRoleSecret;
        String s3AssumeRoleArn;
        String s3AssumeRoleExternalId;
        boolean insecure;
        DebugConfig debug;
        Map<String, Object> chromeFlags;
        LatencyConfig latency;
        Map<String, LatencyConfig> latencyOverrides;
        int videoEncoderThreads;
        boolean enableOneShotSenderReportSync;
        boolean enableSyncEngine;
        AudioTempoController audioTempoController;
        TestOverrides testOverrides;
        int healthPort;
        int templatePort;
        int prometheusPort;
        int debugHandlerPort;
        int sharedHandlerCapacity;
        boolean sharedHandlerCpuPinning;
        double idleAffinity;
        String roomCompositeRenderer;
        int pulseSinkReapGraceSec;
        CpuCostConfig cpuCost;
        String localDirectory;
        Map<String, String> storageEndpoints = Map.of();
        List<String> warnings;
    }
}
