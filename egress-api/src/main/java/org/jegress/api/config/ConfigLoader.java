package org.jegress.api.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the worker config the way Go egress's {@code NewServiceConfig} does: YAML, then the {@code LIVEKIT_*}
 * environment fallbacks, then upstream's defaults. Unlike upstream it is lenient: mistyped values keep their
 * default, and unknown or legacy keys are accepted; each case is listed in {@link EgressConfig#warnings()}.
 * Does no I/O: the environment and the file reader are passed in.
 */
public final class ConfigLoader {
    /** Env var holding the whole YAML config; wins over any file. */
    public static final String ENV_CONFIG_BODY = "EGRESS_CONFIG_BODY";
    /** Env var naming the config file, used when neither the body nor {@code --config} is given. */
    public static final String ENV_CONFIG_FILE = "EGRESS_CONFIG_FILE";
    public static final String ENV_API_KEY = "LIVEKIT_API_KEY";
    public static final String ENV_API_SECRET = "LIVEKIT_API_SECRET";
    public static final String ENV_WS_URL = "LIVEKIT_WS_URL";

    static final int DEFAULT_TEMPLATE_PORT = 7980;
    /** Light egresses per shared handler process. */
    public static final int DEFAULT_SHARED_HANDLER_CAPACITY = 50;
    /** Upstream's bid of an idle worker. */
    public static final double DEFAULT_IDLE_AFFINITY = 0.5;
    /**
     * Cores a room composite drawn without a browser reserves: measured at 0.5–0.6 cores against Chromium's 0.9 for
     * the same three 720p cameras (bench/room-composite), so half of Chromium's 4.
     */
    public static final double DEFAULT_NATIVE_ROOM_COMPOSITE_CPU_COST = 2;
    /** {@code room_composite_renderer}: Chromium and a template page (the default, as upstream). */
    public static final String RENDERER_CHROME = "chrome";
    /** {@code room_composite_renderer}: GStreamer's compositor draws the layouts from the room's tracks. */
    public static final String RENDERER_NATIVE = "native";
    static final Duration DEFAULT_IO_CREATE_TIMEOUT = Duration.ofSeconds(15);
    static final Duration DEFAULT_IO_UPDATE_TIMEOUT = Duration.ofSeconds(30);
    static final int DEFAULT_IO_WORKERS = 5;
    static final int DEFAULT_MAX_UPLOAD_QUEUE = 60;
    static final int DEFAULT_PULSE_SINK_REAP_GRACE_SEC = 30;
    static final int DEFAULT_REDIS_MAX_REDIRECTS = 2;

    static final double DEFAULT_MAX_CPU_UTILIZATION = 0.8;
    static final double DEFAULT_ROOM_COMPOSITE_CPU_COST = 4;
    static final double DEFAULT_AUDIO_ROOM_COMPOSITE_CPU_COST = 1;
    static final double DEFAULT_WEB_CPU_COST = 4;
    static final double DEFAULT_AUDIO_WEB_CPU_COST = 1;
    static final double DEFAULT_PARTICIPANT_CPU_COST = 2;
    static final double DEFAULT_TRACK_COMPOSITE_CPU_COST = 1;
    static final double DEFAULT_TRACK_CPU_COST = 0.5;
    static final int DEFAULT_MAX_PULSE_CLIENTS = 60;
    static final int DEFAULT_CPU_KILL_GRACE_SEC = 30;

    static final Duration DEFAULT_JITTER_BUFFER_LATENCY = Duration.ofSeconds(2);
    static final Duration DEFAULT_AUDIO_MIXER_LATENCY = Duration.ofMillis(2750);
    static final Duration DEFAULT_PIPELINE_LATENCY = Duration.ofSeconds(3);
    static final Duration DEFAULT_RTP_MAX_ALLOWED_TS_DIFF = Duration.ofSeconds(5);
    static final Duration DEFAULT_RTP_MAX_DRIFT_ADJUSTMENT = Duration.ofMillis(5);
    static final Duration DEFAULT_OLD_PACKET_THRESHOLD = Duration.ofMillis(2200);
    static final double DEFAULT_AUDIO_TEMPO_ADJUSTMENT_RATE = 0.05;
    static final double MAX_AUDIO_TEMPO_ADJUSTMENT_RATE = 0.2;

    /** Levels the LiveKit (zap) logger accepts. */
    private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal");
    /** Keys of {@code latency_overrides}: upstream's request types. */
    private static final List<String> REQUEST_TYPES = List.of(
            "room_composite", "web", "participant", "track_composite", "track", "template", "media");
    /** Upstream's upload precedence when a storage block names several providers. */
    private static final List<String> PROVIDERS = List.of("s3", "gcp", "azure", "alioss");

    private static final Pattern DUPLICATE_KEY = Pattern.compile("^Duplicate field '(.*)' for");
    private static final Pattern MARK = Pattern.compile("^\\s+in '[^']*', line (\\d+), column (\\d+):");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            // yaml.v3 rejects duplicate keys rather than letting the last one win
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private ConfigLoader() {
    }

    /**
     * Parses a YAML config. A blank string yields all defaults. {@code api_key}, {@code api_secret} and
     * {@code ws_url} left empty are taken from {@code LIVEKIT_API_KEY}, {@code LIVEKIT_API_SECRET} and
     * {@code LIVEKIT_WS_URL}.
     *
     * @param yaml the config text
     * @param env  the process environment (or a stand-in); {@code null} means empty
     * @throws IllegalArgumentException "could not parse config: ..." when the text is not YAML or its top level is
     *                                  not a mapping
     */
    public static EgressConfig parse(String yaml, Map<String, String> env) {
        Map<String, String> environment = env == null ? Map.of() : env;
        List<String> warnings = new ArrayList<>();
        ConfigNode root = new ConfigNode("", readRoot(yaml), warnings);
        EgressConfig.Builder b = new EgressConfig.Builder();

        b.redis = redis(root.childOrEmpty("redis"));
        b.apiKey = orEnv(root.string("api_key", ""), environment, ENV_API_KEY);
        b.apiSecret = orEnv(root.string("api_secret", ""), environment, ENV_API_SECRET);
        b.wsUrl = orEnv(root.string("ws_url", ""), environment, ENV_WS_URL);
        b.logging = logging(root);
        b.templatePort = root.integer("template_port", DEFAULT_TEMPLATE_PORT);
        if (b.templatePort == 0) {
            b.templatePort = DEFAULT_TEMPLATE_PORT;
        }
        b.templateBase = root.string("template_base", "");
        if (b.templateBase.isEmpty()) {
            b.templateBase = "http://localhost:" + b.templatePort + "/";
        }
        b.clusterId = root.string("cluster_id", "");
        b.enableChromeSandbox = root.bool("enable_chrome_sandbox", false);
        b.maxUploadQueue = positiveOrDefault(root, "max_upload_queue", DEFAULT_MAX_UPLOAD_QUEUE);
        b.disallowLocalStorage = root.bool("disallow_local_storage", false);
        b.ioCreateTimeout = durationOrDefault(root, "io_create_timeout", DEFAULT_IO_CREATE_TIMEOUT);
        b.ioUpdateTimeout = durationOrDefault(root, "io_update_timeout", DEFAULT_IO_UPDATE_TIMEOUT);
        b.ioSelectionTimeout = root.duration("io_selection_timeout", Duration.ZERO);
        b.ioWorkers = positiveOrDefault(root, "io_workers", DEFAULT_IO_WORKERS);
        b.sessionLimits = sessionLimits(root.childOrEmpty("session_limits"));
        b.storage = withLegacyProviders(root, storage(root.child("storage")));
        b.backup = storage(root.child("backup"));
        if (root.isSet("backup_storage")) {
            // the upstream README documents this key, but the code reads "backup", a storage block
            root.warn("backup_storage is not read; configure backup as a storage block (s3, gcp, azure or alioss)");
        }
        b.s3AssumeRoleKey = root.string("s3_assume_role_key", "");
        b.s3AssumeRoleSecret = root.string("s3_assume_role_secret", "");
        b.s3AssumeRoleArn = root.string("s3_assume_role_arn", "");
        b.s3AssumeRoleExternalId = root.string("s3_assume_role_external_id", "");
        b.insecure = root.bool("insecure", false);
        b.debug = debug(root.childOrEmpty("debug"));
        b.chromeFlags = root.freeFormMap("chrome_flags");
        b.latency = latency(root.childOrEmpty("latency"));
        b.latencyOverrides = latencyOverrides(root.child("latency_overrides"));
        b.videoEncoderThreads = root.integer("video_encoder_threads", 0);
        if (b.videoEncoderThreads < 0) {
            root.warn("video_encoder_threads", b.videoEncoderThreads + " is not a valid thread count; using 0");
            b.videoEncoderThreads = 0;
        }
        b.enableOneShotSenderReportSync = root.bool("enable_one_shot_sender_report_sync", false);
        b.enableSyncEngine = root.bool("enable_sync_engine", false);
        b.audioTempoController = audioTempoController(root.childOrEmpty("audio_tempo_controller"));
        b.testOverrides = testOverrides(root.childOrEmpty("test_overrides"));
        b.healthPort = root.integer("health_port", 0);
        b.prometheusPort = root.integer("prometheus_port", 0);
        b.debugHandlerPort = root.integer("debug_handler_port", 0);
        b.sharedHandlerCapacity = root.integer("shared_handler_capacity", DEFAULT_SHARED_HANDLER_CAPACITY);
        b.sharedHandlerCpuPinning = root.bool("shared_handler_cpu_pinning", true);
        if (b.sharedHandlerCapacity < 1) {
            root.warn("shared_handler_capacity", b.sharedHandlerCapacity + " is not a valid count; using 1");
            b.sharedHandlerCapacity = 1;
        }
        b.idleAffinity = root.number("idle_affinity", DEFAULT_IDLE_AFFINITY);
        if (!(b.idleAffinity > 0 && b.idleAffinity <= 1)) {
            root.warn("idle_affinity", b.idleAffinity + " is not in (0, 1]; using " + DEFAULT_IDLE_AFFINITY);
            b.idleAffinity = DEFAULT_IDLE_AFFINITY;
        }
        b.roomCompositeRenderer = root.string("room_composite_renderer", RENDERER_CHROME).trim().toLowerCase(
                java.util.Locale.ROOT);
        if (!b.roomCompositeRenderer.equals(RENDERER_CHROME) && !b.roomCompositeRenderer.equals(RENDERER_NATIVE)) {
            root.warn("room_composite_renderer", "\"" + b.roomCompositeRenderer + "\" is neither " + RENDERER_CHROME
                    + " nor " + RENDERER_NATIVE + "; using " + RENDERER_CHROME);
            b.roomCompositeRenderer = RENDERER_CHROME;
        }
        // 0 means "default" upstream; a negative value is kept and disables reaping
        b.pulseSinkReapGraceSec = root.integer("pulse_sink_reap_grace_sec", DEFAULT_PULSE_SINK_REAP_GRACE_SEC);
        if (b.pulseSinkReapGraceSec == 0) {
            b.pulseSinkReapGraceSec = DEFAULT_PULSE_SINK_REAP_GRACE_SEC;
        }
        b.cpuCost = cpuCost(root.childOrEmpty("cpu_cost"));
        if (root.isSet("local_directory")) {
            b.localDirectory = root.string("local_directory", "");
        }
        b.storageEndpoints = storageEndpoints(root);

        warnIfSeveralProviders(root, "storage", b.storage);
        warnIfSeveralProviders(root, "backup", b.backup);
        warnIfSeveralProviders(root, "debug", b.debug.storage());
        root.reportUnknownKeys();
        b.warnings = warnings;
        return new EgressConfig(b);
    }

    /**
     * One storage block ({@code prefix}, {@code generate_presigned_url} and a provider), from the YAML (or JSON) of
     * {@link StorageConfig#keys(boolean)}; used to keep an upload target on disk (the upload journal).
     *
     * @throws IllegalArgumentException when the text is not a storage block
     */
    public static StorageConfig storageBlock(String yaml) {
        List<String> warnings = new ArrayList<>();
        StorageConfig block = storage(new ConfigNode("", readRoot(yaml), warnings));
        if (!warnings.isEmpty()) {
            throw new IllegalArgumentException("not a storage block: " + String.join("; ", warnings));
        }
        return block;
    }

    /** All defaults, with the {@code LIVEKIT_*} environment fallbacks: {@code parse("", env)}. */
    public static EgressConfig defaults(Map<String, String> env) {
        return parse("", env);
    }

    /**
     * Picks the config text as the Go egress does: {@code EGRESS_CONFIG_BODY} wins, else the file named by
     * {@code --config}, else the file named by {@code EGRESS_CONFIG_FILE}. Empty values count as unset.
     *
     * @param env           the process environment (or a stand-in); {@code null} means empty
     * @param cliConfigPath the {@code --config} argument, or {@code null}
     * @param fileReader    reads a file's text by path; its exceptions propagate
     * @return the YAML text, or {@code ""} when no source is configured (upstream then fails with "missing config")
     */
    public static String resolveSource(Map<String, String> env, String cliConfigPath,
                                       Function<String, String> fileReader) {
        Map<String, String> environment = env == null ? Map.of() : env;
        String body = environment.get(ENV_CONFIG_BODY);
        if (body != null && !body.isEmpty()) {
            return body;
        }
        String path = cliConfigPath != null && !cliConfigPath.isEmpty()
                ? cliConfigPath
                : environment.get(ENV_CONFIG_FILE);
        if (path == null || path.isEmpty()) {
            return "";
        }
        String text = fileReader.apply(path);
        return text == null ? "" : text;
    }

    private static ObjectNode readRoot(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("could not parse config: " + describe(e), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("could not parse config: the top level must be a mapping of keys, not "
                    + (root.isArray() ? "a list" : "a single value"));
        }
        return (ObjectNode) root;
    }

    /**
     * A one-line reason with its position. SnakeYAML's message spans several lines (context, source excerpt with a
     * caret, problem, each with its mark); the unindented lines are the reason and the last mark is the problem's.
     */
    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        Matcher duplicate = DUPLICATE_KEY.matcher(message);
        if (duplicate.find()) {
            // worded as yaml.v3 words it
            message = "mapping key \"" + duplicate.group(1) + "\" already defined";
        }
        List<String> reasons = new ArrayList<>();
        String position = null;
        for (String line : message.split("\n")) {
            Matcher mark = MARK.matcher(line);
            if (mark.find()) {
                position = "line " + mark.group(1) + ", column " + mark.group(2);
            } else if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                reasons.add(line.strip());
            }
        }
        JsonLocation location = e.getLocation();
        if (position == null && location != null && location.getLineNr() > 0) {
            position = "line " + location.getLineNr() + ", column " + location.getColumnNr();
        }
        return String.join(": ", reasons) + (position == null ? "" : " (" + position + ")");
    }

    private static String orEnv(String configured, Map<String, String> env, String name) {
        if (!configured.isEmpty()) {
            return configured;
        }
        String fromEnv = env.get(name);
        return fromEnv == null ? "" : fromEnv;
    }

    /** Upstream's "if x <= 0 { x = default }". */
    private static int positiveOrDefault(ConfigNode n, String key, int fallback) {
        int value = n.integer(key, fallback);
        return value <= 0 ? fallback : value;
    }

    /** Upstream's "if d == 0 { d = default }". */
    private static Duration durationOrDefault(ConfigNode n, String key, Duration fallback) {
        Duration value = n.duration(key, fallback);
        return value.isZero() ? fallback : value;
    }

    private static RedisConfig redis(ConfigNode n) {
        boolean useTls = n.bool("use_tls", false);
        if (useTls) {
            n.warn("use_tls", "deprecated, use redis.tls.enabled");
        }
        ConfigNode tlsNode = n.child("tls");
        RedisConfig.TlsConfig tls = null;
        if (tlsNode != null) {
            tls = new RedisConfig.TlsConfig(
                    tlsNode.bool("enabled", false),
                    tlsNode.bool("insecure", false),
                    tlsNode.string("server_name", ""),
                    tlsNode.string("ca_cert_file", ""),
                    tlsNode.string("client_cert_file", ""),
                    tlsNode.string("client_key_file", ""));
            tlsNode.reportUnknownKeys();
        }
        RedisConfig redis = new RedisConfig(
                n.string("address", ""),
                n.string("username", ""),
                n.string("password", ""),
                n.integer("db", 0),
                useTls,
                tls,
                n.string("sentinel_master_name", ""),
                n.string("sentinel_username", ""),
                n.string("sentinel_password", ""),
                n.stringList("sentinel_addresses"),
                n.stringList("cluster_addresses"),
                n.integer("dial_timeout", 0),
                n.integer("read_timeout", 0),
                n.integer("write_timeout", 0),
                n.integer("max_redirects", DEFAULT_REDIS_MAX_REDIRECTS),
                n.duration("pool_timeout", Duration.ZERO),
                n.integer("pool_size", 0));
        n.reportUnknownKeys();
        return redis;
    }

    /** {@code logging:}, with the legacy top-level {@code log_level} filling {@code logging.level} when unset. */
    private static LoggingConfig logging(ConfigNode root) {
        ConfigNode n = root.childOrEmpty("logging");
        String level = logLevel(n, "level", n.string("level", ""));
        if (root.isSet("log_level")) {
            if (level.isEmpty()) {
                root.warn("log_level is deprecated, use logging.level");
                level = logLevel(root, "log_level", root.string("log_level", ""));
            } else {
                root.warn("log_level is deprecated and ignored because logging.level is set");
            }
        }
        LoggingConfig logging = new LoggingConfig(
                level.isEmpty() ? "info" : level,
                n.bool("json", false),
                n.bool("sample", false),
                n.stringMap("component_levels"),
                n.integer("sample_initial", 0),
                n.integer("sample_interval", 0),
                n.integer("item_sample_seconds", 0),
                n.integer("item_sample_initial", 0),
                n.integer("item_sample_interval", 0));
        n.reportUnknownKeys();
        return logging;
    }

    /** A known level in lower case, "" for an empty one, "info" (with a warning) for anything else. */
    private static String logLevel(ConfigNode n, String key, String text) {
        String level = text.strip().toLowerCase(Locale.ROOT);
        if (level.isEmpty() || LOG_LEVELS.contains(level)) {
            return level;
        }
        n.warn(key, ConfigNode.quote(text) + " is not a valid log level (debug, info, warn, error); using info");
        return "info";
    }

    private static SessionLimits sessionLimits(ConfigNode n) {
        SessionLimits limits = new SessionLimits(
                n.duration("file_output_max_duration", Duration.ZERO),
                n.duration("stream_output_max_duration", Duration.ZERO),
                n.duration("segment_output_max_duration", Duration.ZERO),
                n.duration("image_output_max_duration", Duration.ZERO),
                n.longInteger("file_output_max_size", 0));
        n.reportUnknownKeys();
        return limits;
    }

    private static StorageConfig storage(ConfigNode n) {
        if (n == null) {
            return null;
        }
        StorageConfig storage = storageKeys(n);
        n.reportUnknownKeys();
        return storage;
    }

    /** The storage keys of {@code n} itself; shared by the storage blocks and the inline keys of {@code debug}. */
    private static StorageConfig storageKeys(ConfigNode n) {
        return new StorageConfig(
                n.string("prefix", ""),
                n.bool("generate_presigned_url", false),
                s3(n.child("s3")),
                azure(n.child("azure")),
                gcp(n.child("gcp")),
                alioss(n.child("alioss")));
    }

    /**
     * Older configs (seed 001, the self-hosting docs) put {@code s3}, {@code azure}, {@code gcp} and {@code alioss} at
     * the top level; current upstream only reads them under {@code storage}. They fill the providers that
     * {@code storage} leaves unset.
     */
    private static StorageConfig withLegacyProviders(ConfigNode root, StorageConfig configured) {
        StorageConfig base = configured != null ? configured : new StorageConfig("", false, null, null, null, null);
        S3Config s3 = legacyProvider(root, "s3", base.s3(), ConfigLoader::s3);
        AzureConfig azure = legacyProvider(root, "azure", base.azure(), ConfigLoader::azure);
        GcpConfig gcp = legacyProvider(root, "gcp", base.gcp(), ConfigLoader::gcp);
        AliOssConfig alioss = legacyProvider(root, "alioss", base.alioss(), ConfigLoader::alioss);
        if (s3 == base.s3() && azure == base.azure() && gcp == base.gcp() && alioss == base.alioss()) {
            return configured;
        }
        return new StorageConfig(base.prefix(), base.generatePresignedUrl(), s3, azure, gcp, alioss);
    }

    private static <T> T legacyProvider(ConfigNode root, String key, T current, Function<ConfigNode, T> parser) {
        ConfigNode legacy = root.child(key);
        if (legacy == null) {
            return current;
        }
        if (current != null) {
            root.warn(key + " is deprecated and ignored because storage." + key + " is set");
            return current;
        }
        root.warn(key + " is deprecated, use storage." + key);
        return parser.apply(legacy);
    }

    private static void warnIfSeveralProviders(ConfigNode root, String path, StorageConfig storage) {
        if (storage == null) {
            return;
        }
        List<String> set = new ArrayList<>();
        if (storage.s3() != null) {
            set.add("s3");
        }
        if (storage.gcp() != null) {
            set.add("gcp");
        }
        if (storage.azure() != null) {
            set.add("azure");
        }
        if (storage.alioss() != null) {
            set.add("alioss");
        }
        if (set.size() > 1) {
            root.warn(path + ": more than one of " + String.join(", ", PROVIDERS) + " is set (" + String.join(", ", set)
                    + "); only " + set.get(0) + " is used");
        }
    }

    private static S3Config s3(ConfigNode n) {
        if (n == null) {
            return null;
        }
        S3Config s3 = new S3Config(
                n.string("access_key", ""),
                n.string("secret", ""),
                n.string("session_token", ""),
                n.string("assume_role_arn", ""),
                n.string("assume_role_external_id", ""),
                n.string("region", ""),
                n.string("endpoint", ""),
                n.string("bucket", ""),
                n.bool("force_path_style", false),
                proxy(n.child("proxy_config")),
                n.integer("max_retries", 0),
                n.duration("max_retry_delay", Duration.ZERO),
                n.duration("min_retry_delay", Duration.ZERO),
                n.stringMap("metadata"),
                n.string("tagging", ""),
                n.string("content_disposition", ""));
        n.reportUnknownKeys();
        return s3;
    }

    private static AzureConfig azure(ConfigNode n) {
        if (n == null) {
            return null;
        }
        AzureConfig azure = new AzureConfig(
                n.string("account_name", ""),
                n.string("account_key", ""),
                n.string("container_name", ""));
        n.reportUnknownKeys();
        return azure;
    }

    private static GcpConfig gcp(ConfigNode n) {
        if (n == null) {
            return null;
        }
        GcpConfig gcp = new GcpConfig(
                n.string("credentials_json", ""),
                n.string("bucket", ""),
                proxy(n.child("proxy_config")));
        n.reportUnknownKeys();
        return gcp;
    }

    private static AliOssConfig alioss(ConfigNode n) {
        if (n == null) {
            return null;
        }
        AliOssConfig alioss = new AliOssConfig(
                n.string("access_key", ""),
                n.string("secret", ""),
                n.string("region", ""),
                n.string("endpoint", ""),
                n.string("bucket", ""));
        n.reportUnknownKeys();
        return alioss;
    }

    private static Map<String, String> storageEndpoints(ConfigNode root) {
        Map<String, String> endpoints = root.stringMap("storage_endpoints");
        for (String provider : endpoints.keySet()) {
            if (!provider.equals("azure") && !provider.equals("gcp")) {
                root.warn("storage_endpoints." + provider + " is not read (only azure and gcp take an endpoint here;"
                        + " s3 and alioss have one of their own)");
            }
        }
        return endpoints;
    }

    private static ProxyConfig proxy(ConfigNode n) {
        if (n == null) {
            return null;
        }
        ProxyConfig proxy = new ProxyConfig(n.string("url", ""), n.string("username", ""), n.string("password", ""));
        n.reportUnknownKeys();
        return proxy;
    }

    private static DebugConfig debug(ConfigNode n) {
        DebugConfig debug = new DebugConfig(
                n.bool("enable_profiling", false),
                n.bool("enable_track_logging", false),
                n.bool("enable_stream_logging", false),
                n.bool("enable_chrome_logging", false),
                storageKeys(n));
        n.reportUnknownKeys();
        return debug;
    }

    /** Mirrors upstream's {@code applyLatencyDefaults}: zero means default; the TS-diff covers the jitter buffer. */
    private static LatencyConfig latency(ConfigNode n) {
        Duration jitter = durationOrDefault(n, "jitter_buffer_latency", DEFAULT_JITTER_BUFFER_LATENCY);
        Duration audioMixer = durationOrDefault(n, "audio_mixer_latency", DEFAULT_AUDIO_MIXER_LATENCY);
        Duration pipeline = durationOrDefault(n, "pipeline_latency", DEFAULT_PIPELINE_LATENCY);
        Duration maxTsDiff = durationOrDefault(n, "rtp_max_allowed_ts_diff", DEFAULT_RTP_MAX_ALLOWED_TS_DIFF);
        if (maxTsDiff.compareTo(jitter) < 0) {
            // the TS-diff window must absorb a full jitter-buffer burst
            if (n.isSet("rtp_max_allowed_ts_diff")) {
                n.warn("rtp_max_allowed_ts_diff", GoDuration.format(maxTsDiff)
                        + " is below jitter_buffer_latency; using " + GoDuration.format(jitter));
            }
            maxTsDiff = jitter;
        }
        LatencyConfig latency = new LatencyConfig(
                jitter,
                audioMixer,
                pipeline,
                maxTsDiff,
                durationOrDefault(n, "rtp_max_drift_adjustment", DEFAULT_RTP_MAX_DRIFT_ADJUSTMENT),
                n.number("rtp_drift_adjustment_window_percent", 0),
                durationOrDefault(n, "old_packet_threshold", DEFAULT_OLD_PACKET_THRESHOLD));
        n.reportUnknownKeys();
        return latency;
    }

    private static Map<String, LatencyConfig> latencyOverrides(ConfigNode n) {
        Map<String, LatencyConfig> overrides = new LinkedHashMap<>();
        if (n == null) {
            return overrides;
        }
        for (String requestType : n.keys()) {
            ConfigNode override = n.child(requestType);
            if (override == null) {
                continue;
            }
            if (!REQUEST_TYPES.contains(requestType)) {
                n.warn(requestType, "not a known request type (" + String.join(", ", REQUEST_TYPES) + "); never used");
            }
            overrides.put(requestType, latency(override));
        }
        return overrides;
    }

    private static AudioTempoController audioTempoController(ConfigNode n) {
        boolean enabled = n.bool("enabled", false);
        double rate = n.number("adjustment_rate", 0);
        if (enabled && (rate <= 0 || rate > MAX_AUDIO_TEMPO_ADJUSTMENT_RATE)) {
            if (rate != 0) {
                n.warn("adjustment_rate", ConfigNode.formatNumber(rate) + " is outside (0, 0.2]; using "
                        + DEFAULT_AUDIO_TEMPO_ADJUSTMENT_RATE);
            }
            rate = DEFAULT_AUDIO_TEMPO_ADJUSTMENT_RATE;
        }
        n.reportUnknownKeys();
        return new AudioTempoController(enabled, rate);
    }

    private static TestOverrides testOverrides(ConfigNode n) {
        TestOverrides overrides = new TestOverrides(
                n.string("failure_injection_room", ""),
                n.string("disconnect_injection_room", ""));
        n.reportUnknownKeys();
        return overrides;
    }

    /** Mirrors upstream's {@code InitDefaults} for {@code cpu_cost}: non-positive costs take their defaults. */
    private static CpuCostConfig cpuCost(ConfigNode n) {
        double maxUtilization = n.number("max_cpu_utilization", DEFAULT_MAX_CPU_UTILIZATION);
        if (maxUtilization <= 0 || maxUtilization > 1) {
            if (maxUtilization != 0) {
                n.warn("max_cpu_utilization", ConfigNode.formatNumber(maxUtilization) + " is outside (0, 1]; using "
                        + DEFAULT_MAX_CPU_UTILIZATION);
            }
            maxUtilization = DEFAULT_MAX_CPU_UTILIZATION;
        }
        double maxMemory = n.number("max_memory", 0);
        double memoryCost = n.number("memory_cost", 0);
        double audioRoomComposite = cost(n, "audio_room_composite_cpu_cost", DEFAULT_AUDIO_ROOM_COMPOSITE_CPU_COST);
        int maxPulseClients = n.integer("max_pulse_clients", DEFAULT_MAX_PULSE_CLIENTS);
        int cpuKillGraceSec = n.integer("cpu_kill_grace_sec", DEFAULT_CPU_KILL_GRACE_SEC);
        CpuCostConfig costs = new CpuCostConfig(
                maxUtilization,
                maxMemory,
                memoryCost,
                cost(n, "room_composite_cpu_cost", DEFAULT_ROOM_COMPOSITE_CPU_COST),
                audioRoomComposite,
                cost(n, "sdk_audio_room_composite_cpu_cost", audioRoomComposite),
                cost(n, "sdk_audio_room_composite_memory_cost", memoryCost),
                cost(n, "native_room_composite_cpu_cost", DEFAULT_NATIVE_ROOM_COMPOSITE_CPU_COST),
                cost(n, "web_cpu_cost", DEFAULT_WEB_CPU_COST),
                cost(n, "audio_web_cpu_cost", DEFAULT_AUDIO_WEB_CPU_COST),
                cost(n, "participant_cpu_cost", DEFAULT_PARTICIPANT_CPU_COST),
                cost(n, "track_composite_cpu_cost", DEFAULT_TRACK_COMPOSITE_CPU_COST),
                cost(n, "track_cpu_cost", DEFAULT_TRACK_CPU_COST),
                maxPulseClients == 0 ? DEFAULT_MAX_PULSE_CLIENTS : maxPulseClients,
                memorySource(n),
                n.integer("memory_kill_grace_sec", 0),
                cpuKillGraceSec <= 0 ? DEFAULT_CPU_KILL_GRACE_SEC : cpuKillGraceSec);
        n.reportUnknownKeys();
        return costs;
    }

    /** A cost that must be positive: 0 silently means the default, a negative value is replaced with a warning. */
    private static double cost(ConfigNode n, String key, double fallback) {
        double value = n.number(key, fallback);
        if (value > 0) {
            return value;
        }
        if (value < 0) {
            n.warn(key, ConfigNode.formatNumber(value) + " is not positive; using "
                    + ConfigNode.formatNumber(fallback));
        }
        return fallback;
    }

    private static CpuCostConfig.MemorySource memorySource(ConfigNode n) {
        String text = n.string("memory_source", "");
        for (CpuCostConfig.MemorySource source : CpuCostConfig.MemorySource.values()) {
            if (source.configName().equals(text)) {
                return source;
            }
        }
        if (!text.isEmpty()) {
            n.warn("memory_source", ConfigNode.quote(text)
                    + " is not a known memory source (proc_rss, cgroup); using proc_rss");
        }
        return CpuCostConfig.MemorySource.PROC_RSS;
    }
}
