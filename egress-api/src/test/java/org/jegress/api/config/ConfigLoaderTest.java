package org.jegress.api.config;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private static final Map<String, String> NO_ENV = Map.of();

    static String resource(String name) {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/config/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource config/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static EgressConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, NO_ENV);
    }

    @Nested
    class Defaults {
        @Test
        void matchUpstreamCode() {
            EgressConfig c = ConfigLoader.defaults(NO_ENV);

            assertThat(c.warnings()).isEmpty();
            assertThat(c.apiKey()).isEmpty();
            assertThat(c.apiSecret()).isEmpty();
            assertThat(c.wsUrl()).isEmpty();
            assertThat(c.redis().isConfigured()).isFalse();
            assertThat(c.redis().maxRedirects()).isEqualTo(2);
            assertThat(c.logging().level()).isEqualTo("info");
            assertThat(c.logging().json()).isFalse();
            assertThat(c.templatePort()).isEqualTo(7980);
            assertThat(c.templateBase()).isEqualTo("http://localhost:7980/");
            assertThat(c.clusterId()).isEmpty();
            assertThat(c.enableChromeSandbox()).isFalse();
            assertThat(c.insecure()).isFalse();
            assertThat(c.chromeFlags()).isEmpty();
            assertThat(c.maxUploadQueue()).isEqualTo(60);
            assertThat(c.disallowLocalStorage()).isFalse();
            assertThat(c.ioCreateTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(c.ioUpdateTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(c.ioSelectionTimeout()).isZero();
            assertThat(c.ioWorkers()).isEqualTo(5);
            assertThat(c.sessionLimits()).isEqualTo(
                    new SessionLimits(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0));
            assertThat(c.storage()).isNull();
            assertThat(c.backup()).isNull();
            assertThat(c.s3AssumeRoleKey()).isEmpty();
            assertThat(c.s3AssumeRoleSecret()).isEmpty();
            assertThat(c.s3AssumeRoleArn()).isEmpty();
            assertThat(c.s3AssumeRoleExternalId()).isEmpty();
            assertThat(c.debug().enableProfiling()).isFalse();
            assertThat(c.debug().storage().isLocal()).isTrue();
            assertThat(c.videoEncoderThreads()).isZero();
            assertThat(c.enableOneShotSenderReportSync()).isFalse();
            assertThat(c.enableSyncEngine()).isFalse();
            assertThat(c.audioTempoController()).isEqualTo(new AudioTempoController(false, 0));
            assertThat(c.testOverrides()).isEqualTo(new TestOverrides("", ""));
            assertThat(c.healthPort()).isZero();
            assertThat(c.prometheusPort()).isZero();
            assertThat(c.debugHandlerPort()).isZero();
            assertThat(c.sharedHandlerCapacity()).isEqualTo(50);
            assertThat(c.sharedHandlerCpuPinning()).isTrue();
            assertThat(c.idleAffinity()).isEqualTo(0.5);
            assertThat(c.roomCompositeRenderer()).isEqualTo("chrome");
            assertThat(c.pulseSinkReapGraceSec()).isEqualTo(30);
            assertThat(c.localDirectory()).isNull();
            assertThat(c.latencyOverrides()).isEmpty();
        }

        @Test
        void cpuCosts() {
            CpuCostConfig cost = ConfigLoader.defaults(NO_ENV).cpuCost();

            assertThat(cost).isEqualTo(new CpuCostConfig(0.8, 0, 0, 4, 1, 1, 0, 2, 4, 1, 2, 1, 0.5, 60,
                    CpuCostConfig.MemorySource.PROC_RSS, 0, 30));
        }

        @Test
        void latencies() {
            assertThat(ConfigLoader.defaults(NO_ENV).latency()).isEqualTo(new LatencyConfig(
                    Duration.ofSeconds(2), Duration.ofMillis(2750), Duration.ofSeconds(3), Duration.ofSeconds(5),
                    Duration.ofMillis(5), 0, Duration.ofMillis(2200)));
        }

        @Test
        void blankOrCommentOnlyTextMeansDefaults() {
            for (String yaml : new String[] {"", "   \n", "# nothing here\n", "~"}) {
                EgressConfig c = parse(yaml);
                assertThat(c.warnings()).as(yaml).isEmpty();
                assertThat(c.redacted()).as(yaml).isEqualTo(ConfigLoader.defaults(NO_ENV).redacted());
            }
            assertThat(ConfigLoader.parse(null, null).templatePort()).isEqualTo(7980);
        }
    }

    @Nested
    class Environment {
        private final Map<String, String> env = Map.of(
                "LIVEKIT_API_KEY", "env-key",
                "LIVEKIT_API_SECRET", "env-secret",
                "LIVEKIT_WS_URL", "wss://env.example.com");

        @Test
        void fillsCredentialsTheYamlLeavesEmpty() {
            EgressConfig c = ConfigLoader.parse("api_key: yaml-key\napi_secret: \"\"\n", env);

            assertThat(c.apiKey()).isEqualTo("yaml-key");
            assertThat(c.apiSecret()).isEqualTo("env-secret");
            assertThat(c.wsUrl()).isEqualTo("wss://env.example.com");
        }

        @Test
        void appliesToDefaults() {
            EgressConfig c = ConfigLoader.defaults(env);

            assertThat(c.apiKey()).isEqualTo("env-key");
            assertThat(c.apiSecret()).isEqualTo("env-secret");
            assertThat(c.wsUrl()).isEqualTo("wss://env.example.com");
        }
    }

    @Nested
    class Source {
        private final List<String> readPaths = new ArrayList<>();
        private final Function<String, String> reader = path -> {
            readPaths.add(path);
            return "from " + path;
        };

        @Test
        void bodyWinsOverBothFiles() {
            Map<String, String> env = Map.of("EGRESS_CONFIG_BODY", "api_key: body", "EGRESS_CONFIG_FILE", "/env.yaml");

            assertThat(ConfigLoader.resolveSource(env, "/cli.yaml", reader)).isEqualTo("api_key: body");
            assertThat(readPaths).isEmpty();
        }

        @Test
        void cliPathWinsOverEnvPath() {
            Map<String, String> env = Map.of("EGRESS_CONFIG_FILE", "/env.yaml");

            assertThat(ConfigLoader.resolveSource(env, "/cli.yaml", reader)).isEqualTo("from /cli.yaml");
            assertThat(readPaths).containsExactly("/cli.yaml");
        }

        @Test
        void envPathIsTheLastResort() {
            Map<String, String> env = Map.of("EGRESS_CONFIG_BODY", "", "EGRESS_CONFIG_FILE", "/env.yaml");

            assertThat(ConfigLoader.resolveSource(env, null, reader)).isEqualTo("from /env.yaml");
            assertThat(ConfigLoader.resolveSource(env, "", reader)).isEqualTo("from /env.yaml");
        }

        @Test
        void nothingConfiguredIsEmpty() {
            assertThat(ConfigLoader.resolveSource(NO_ENV, null, reader)).isEmpty();
            assertThat(ConfigLoader.resolveSource(null, null, reader)).isEmpty();
            assertThat(readPaths).isEmpty();
        }

        @Test
        void readerFailuresPropagate() {
            Function<String, String> failing = path -> {
                throw new UncheckedIOException(new IOException("no such file " + path));
            };

            assertThatThrownBy(() -> ConfigLoader.resolveSource(NO_ENV, "/missing.yaml", failing))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("/missing.yaml");
        }
    }

    @Nested
    class Values {
        @Test
        void readsEveryKindOfValue() {
            EgressConfig c = parse("""
                    redis:
                      address: redis:6379
                      db: 3
                      sentinel_addresses: [a:26379, b:26379]
                      pool_timeout: 4s
                      tls: {enabled: true, server_name: redis.internal}
                    logging: {level: DEBUG, json: true, component_levels: {pipeline: warn}}
                    cluster_id: eu
                    chrome_flags: {disable-gpu: true, window-size: "1280,720", scale: 2}
                    session_limits:
                      file_output_max_duration: 1h
                      stream_output_max_duration: 90m
                      segment_output_max_duration: 1h30m
                      image_output_max_duration: 300ms
                      file_output_max_size: 10000000000
                    io_selection_timeout: 500ms
                    video_encoder_threads: 4
                    health_port: 8080
                    """);

            assertThat(c.warnings()).isEmpty();
            assertThat(c.redis().address()).isEqualTo("redis:6379");
            assertThat(c.redis().db()).isEqualTo(3);
            assertThat(c.redis().sentinelAddresses()).containsExactly("a:26379", "b:26379");
            assertThat(c.redis().poolTimeout()).isEqualTo(Duration.ofSeconds(4));
            assertThat(c.redis().tls()).isEqualTo(new RedisConfig.TlsConfig(true, false, "redis.internal", "", "", ""));
            assertThat(c.logging().level()).isEqualTo("debug");
            assertThat(c.logging().json()).isTrue();
            assertThat(c.logging().componentLevels()).containsEntry("pipeline", "warn");
            assertThat(c.clusterId()).isEqualTo("eu");
            assertThat(c.chromeFlags()).containsEntry("disable-gpu", true).containsEntry("window-size", "1280,720")
                    .containsEntry("scale", 2);
            assertThat(c.sessionLimits().fileOutputMaxDuration()).isEqualTo(Duration.ofHours(1));
            assertThat(c.sessionLimits().streamOutputMaxDuration()).isEqualTo(Duration.ofMinutes(90));
            assertThat(c.sessionLimits().segmentOutputMaxDuration()).isEqualTo(Duration.ofMinutes(90));
            assertThat(c.sessionLimits().imageOutputMaxDuration()).isEqualTo(Duration.ofMillis(300));
            assertThat(c.sessionLimits().fileOutputMaxSize()).isEqualTo(10_000_000_000L);
            assertThat(c.ioSelectionTimeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(c.videoEncoderThreads()).isEqualTo(4);
            assertThat(c.healthPort()).isEqualTo(8080);
        }

        @Test
        void storageBlocks() {
            EgressConfig c = parse("""
                    storage:
                      prefix: recordings/
                      generate_presigned_url: true
                      s3:
                        access_key: AK
                        secret: SK
                        region: eu-west-1
                        bucket: b
                        force_path_style: true
                        proxy_config: {url: "http://proxy:3128"}
                        max_retries: 7
                        max_retry_delay: 10s
                        min_retry_delay: 200ms
                        metadata: {team: media}
                        tagging: a=b
                    backup:
                      gcp: {credentials_json: "{}", bucket: backup}
                    debug:
                      enable_profiling: true
                      prefix: dbg/
                      azure: {account_name: acc, account_key: key, container_name: dots}
                    """);

            assertThat(c.warnings()).isEmpty();
            StorageConfig storage = c.storage();
            assertThat(storage.prefix()).isEqualTo("recordings/");
            assertThat(storage.generatePresignedUrl()).isTrue();
            assertThat(storage.isLocal()).isFalse();
            S3Config s3 = storage.s3();
            assertThat(s3.accessKey()).isEqualTo("AK");
            assertThat(s3.secret()).isEqualTo("SK");
            assertThat(s3.forcePathStyle()).isTrue();
            assertThat(s3.proxyConfig()).isEqualTo(new ProxyConfig("http://proxy:3128", "", ""));
            assertThat(s3.maxRetries()).isEqualTo(7);
            assertThat(s3.maxRetryDelay()).isEqualTo(Duration.ofSeconds(10));
            assertThat(s3.minRetryDelay()).isEqualTo(Duration.ofMillis(200));
            assertThat(s3.metadata()).containsExactly(Map.entry("team", "media"));
            assertThat(s3.tagging()).isEqualTo("a=b");
            assertThat(c.backup().gcp()).isEqualTo(new GcpConfig("{}", "backup", null));
            assertThat(c.debug().enableProfiling()).isTrue();
            assertThat(c.debug().storage().prefix()).isEqualTo("dbg/");
            assertThat(c.debug().storage().azure()).isEqualTo(new AzureConfig("acc", "key", "dots"));
        }

        @Test
        void bareIntegerDurationIsNanoseconds() {
            EgressConfig c = parse("io_selection_timeout: 1500\nsession_limits: {file_output_max_duration: 0}\n");

            assertThat(c.ioSelectionTimeout()).isEqualTo(Duration.ofNanos(1500));
            assertThat(c.sessionLimits().fileOutputMaxDuration()).isZero();
            assertThat(c.warnings()).containsExactly(
                    "io_selection_timeout: bare number 1500 is read as nanoseconds; write a unit, e.g. \"1500s\"");
        }

        @Test
        void yamlOneOneBooleansAndQuotedNumbersAreAccepted() {
            EgressConfig c = parse("insecure: yes\nenable_sync_engine: \"on\"\nhealth_port: \"9090\"\n");

            assertThat(c.warnings()).isEmpty();
            assertThat(c.insecure()).isTrue();
            assertThat(c.enableSyncEngine()).isTrue();
            assertThat(c.healthPort()).isEqualTo(9090);
        }
    }

    @Nested
    class UpstreamDefaulting {
        @Test
        void templateBaseFollowsTemplatePort() {
            assertThat(parse("template_port: 8000").templateBase()).isEqualTo("http://localhost:8000/");
            assertThat(parse("template_port: 0").templatePort()).isEqualTo(7980);
            assertThat(parse("template_base: https://t.example.com/").templateBase()).isEqualTo("https://t.example.com/");
        }

        @Test
        void zeroOrNegativeMeansDefault() {
            EgressConfig c = parse("""
                    io_create_timeout: 0s
                    io_update_timeout: "0"
                    io_workers: -1
                    max_upload_queue: 0
                    cpu_cost: {room_composite_cpu_cost: 0, cpu_kill_grace_sec: -5, max_pulse_clients: 0}
                    """);

            assertThat(c.warnings()).isEmpty();
            assertThat(c.ioCreateTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(c.ioUpdateTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(c.ioWorkers()).isEqualTo(5);
            assertThat(c.maxUploadQueue()).isEqualTo(60);
            assertThat(c.cpuCost().roomCompositeCpuCost()).isEqualTo(4);
            assertThat(c.cpuCost().cpuKillGraceSec()).isEqualTo(30);
            assertThat(c.cpuCost().maxPulseClients()).isEqualTo(60);
        }

        @Test
        void pulseSinkReapGrace() {
            assertThat(parse("pulse_sink_reap_grace_sec: 0").pulseSinkReapGraceSec()).isEqualTo(30);
            assertThat(parse("pulse_sink_reap_grace_sec: 5").pulseSinkReapGraceSec()).isEqualTo(5);
            assertThat(parse("pulse_sink_reap_grace_sec: -1").pulseSinkReapGraceSec()).isEqualTo(-1);
        }

        @Test
        void maxCpuUtilizationMustLieInUnitInterval() {
            assertThat(parse("cpu_cost: {max_cpu_utilization: 1}").cpuCost().maxCpuUtilization()).isEqualTo(1);
            assertThat(parse("cpu_cost: {max_cpu_utilization: 0.5}").cpuCost().maxCpuUtilization()).isEqualTo(0.5);
            assertThat(parse("cpu_cost: {max_cpu_utilization: 0}").warnings()).isEmpty();

            EgressConfig tooHigh = parse("cpu_cost: {max_cpu_utilization: 1.5}");
            assertThat(tooHigh.cpuCost().maxCpuUtilization()).isEqualTo(0.8);
            assertThat(tooHigh.warnings()).containsExactly("cpu_cost.max_cpu_utilization: 1.5 is outside (0, 1]; using 0.8");
        }

        @Test
        void sdkAudioCostsFollowTheirBases() {
            CpuCostConfig cost = parse("cpu_cost: {audio_room_composite_cpu_cost: 1.5, memory_cost: 2}").cpuCost();

            assertThat(cost.sdkAudioRoomCompositeCpuCost()).isEqualTo(1.5);
            assertThat(cost.sdkAudioRoomCompositeMemoryCost()).isEqualTo(2);
            assertThat(parse("cpu_cost: {sdk_audio_room_composite_cpu_cost: 0.5}").cpuCost()
                    .sdkAudioRoomCompositeCpuCost()).isEqualTo(0.5);
        }

        @Test
        void negativeCostIsReplacedWithAWarning() {
            EgressConfig c = parse("cpu_cost: {track_cpu_cost: -1}");

            assertThat(c.cpuCost().trackCpuCost()).isEqualTo(0.5);
            assertThat(c.warnings()).containsExactly("cpu_cost.track_cpu_cost: -1 is not positive; using 0.5");
        }

        @Test
        void memorySource() {
            assertThat(parse("cpu_cost: {memory_source: cgroup}").cpuCost().memorySource())
                    .isEqualTo(CpuCostConfig.MemorySource.CGROUP);

            EgressConfig unknown = parse("cpu_cost: {memory_source: psi}");
            assertThat(unknown.cpuCost().memorySource()).isEqualTo(CpuCostConfig.MemorySource.PROC_RSS);
            assertThat(unknown.warnings()).containsExactly(
                    "cpu_cost.memory_source: \"psi\" is not a known memory source (proc_rss, cgroup); using proc_rss");
        }

        @Test
        void rtpTsDiffCoversTheJitterBuffer() {
            LatencyConfig raised = parse("latency: {jitter_buffer_latency: 6s}").latency();
            assertThat(raised.rtpMaxAllowedTsDiff()).isEqualTo(Duration.ofSeconds(6));

            EgressConfig tooSmall = parse("latency: {rtp_max_allowed_ts_diff: 1s}");
            assertThat(tooSmall.latency().rtpMaxAllowedTsDiff()).isEqualTo(Duration.ofSeconds(2));
            assertThat(tooSmall.warnings()).containsExactly(
                    "latency.rtp_max_allowed_ts_diff: 1s is below jitter_buffer_latency; using 2s");
        }

        @Test
        void latencyOverridesTakeDefaultsNotTheBaseBlock() {
            EgressConfig c = parse("""
                    latency: {pipeline_latency: 4s}
                    latency_overrides:
                      track: {jitter_buffer_latency: 1s}
                    """);

            assertThat(c.warnings()).isEmpty();
            LatencyConfig track = c.latencyFor("track");
            assertThat(track.jitterBufferLatency()).isEqualTo(Duration.ofSeconds(1));
            assertThat(track.pipelineLatency()).isEqualTo(Duration.ofSeconds(3));
            assertThat(track.audioMixerLatency()).isEqualTo(Duration.ofMillis(2750));
            assertThat(c.latencyFor("web")).isEqualTo(c.latency());
            assertThat(c.latencyFor("web").pipelineLatency()).isEqualTo(Duration.ofSeconds(4));
        }

        @Test
        void unknownLatencyOverrideTypeIsKeptWithAWarning() {
            EgressConfig c = parse("latency_overrides: {sdk: {pipeline_latency: 1s}}");

            assertThat(c.latencyOverrides()).containsKey("sdk");
            assertThat(c.warnings()).singleElement().asString().startsWith("latency_overrides.sdk: not a known request type");
        }

        @Test
        void audioTempoRate() {
            assertThat(parse("audio_tempo_controller: {enabled: true}").audioTempoController().adjustmentRate())
                    .isEqualTo(0.05);
            assertThat(parse("audio_tempo_controller: {enabled: true, adjustment_rate: 0.1}").audioTempoController()
                    .adjustmentRate()).isEqualTo(0.1);
            assertThat(parse("audio_tempo_controller: {adjustment_rate: 0.5}").audioTempoController().adjustmentRate())
                    .isEqualTo(0.5);

            EgressConfig tooFast = parse("audio_tempo_controller: {enabled: true, adjustment_rate: 0.5}");
            assertThat(tooFast.audioTempoController()).isEqualTo(new AudioTempoController(true, 0.05));
            assertThat(tooFast.warnings()).containsExactly(
                    "audio_tempo_controller.adjustment_rate: 0.5 is outside (0, 0.2]; using 0.05");
        }
    }

    @Nested
    class Leniency {
        @Test
        void mistypedScalarsKeepTheirDefault() {
            EgressConfig c = parse("""
                    health_port: if used, will open an http port for health checks
                    template_port: 79.5
                    insecure: maybe
                    io_create_timeout: 15 seconds
                    cpu_cost: {web_cpu_cost: lots}
                    redis: {db: redis db}
                    api_key: {nested: true}
                    """);

            assertThat(c.healthPort()).isZero();
            assertThat(c.templatePort()).isEqualTo(7980);
            assertThat(c.insecure()).isFalse();
            assertThat(c.ioCreateTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(c.cpuCost().webCpuCost()).isEqualTo(4);
            assertThat(c.redis().db()).isZero();
            assertThat(c.apiKey()).isEmpty();
            assertThat(c.warnings()).containsExactlyInAnyOrder(
                    "health_port: \"if used, will open an http port for health checks\" is not a valid integer; using 0",
                    "template_port: 79.5 is not a valid integer; using 7980",
                    "insecure: \"maybe\" is not a valid boolean; using false",
                    "io_create_timeout: \"15 seconds\" is not a valid duration; using 15s",
                    "cpu_cost.web_cpu_cost: \"lots\" is not a valid number; using 4",
                    "redis.db: \"redis db\" is not a valid integer; using 0",
                    "api_key: a mapping is not a string; using \"\"");
        }

        @Test
        void scalarWhereABlockBelongsUsesTheDefaults() {
            EgressConfig c = parse("cpu_cost: cheap\nstorage: s3\n");

            assertThat(c.cpuCost().roomCompositeCpuCost()).isEqualTo(4);
            assertThat(c.storage()).isNull();
            assertThat(c.warnings()).containsExactlyInAnyOrder(
                    "cpu_cost: \"cheap\" is not a mapping; using defaults",
                    "storage: \"s3\" is not a mapping; using defaults");
        }

        @Test
        void unknownKeysAreReportedWithTheirPath() {
            EgressConfig c = parse("""
                    room_only: false
                    cpu_cost: {gpu_cost: 1}
                    storage:
                      s3: {bucket: b, aws_log_level: LogDebug}
                    """);

            assertThat(c.storage().s3().bucket()).isEqualTo("b");
            assertThat(c.warnings()).containsExactlyInAnyOrder(
                    "unknown config key \"room_only\" ignored",
                    "unknown config key \"cpu_cost.gpu_cost\" ignored",
                    "unknown config key \"storage.s3.aws_log_level\" ignored");
        }

        @Test
        void invalidLogLevelFallsBackToInfo() {
            EgressConfig c = parse("logging: {level: verbose}");

            assertThat(c.logging().level()).isEqualTo("info");
            assertThat(c.warnings()).containsExactly(
                    "logging.level: \"verbose\" is not a valid log level (debug, info, warn, error); using info");
        }

        @Test
        void severalProvidersInOneBlockAreReported() {
            EgressConfig c = parse("storage: {azure: {container_name: c}, gcp: {bucket: b}}");

            assertThat(c.warnings()).containsExactly(
                    "storage: more than one of s3, gcp, azure, alioss is set (gcp, azure); only gcp is used");
        }

        @Test
        void syntaxErrorsFailWithTheUpstreamPrefix() {
            assertThatThrownBy(() -> parse("redis:\n  address: [a,\n"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("could not parse config: ")
                    .hasMessageContaining("line ");
            assertThatThrownBy(() -> parse("a: 1\na: 2\n"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("could not parse config: mapping key \"a\" already defined (line 2, column 4)");
            assertThatThrownBy(() -> parse("- just\n- a list\n"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("could not parse config: ");
        }
    }

    @Nested
    class LegacyKeys {
        @Test
        void logLevelFillsLoggingLevel() {
            EgressConfig c = parse("log_level: warn");

            assertThat(c.logging().level()).isEqualTo("warn");
            assertThat(c.warnings()).containsExactly("log_level is deprecated, use logging.level");
        }

        @Test
        void loggingLevelWinsOverLogLevel() {
            EgressConfig c = parse("log_level: debug\nlogging: {level: error}\n");

            assertThat(c.logging().level()).isEqualTo("error");
            assertThat(c.warnings()).containsExactly("log_level is deprecated and ignored because logging.level is set");
        }

        @Test
        void topLevelProvidersMoveUnderStorage() {
            EgressConfig c = parse("""
                    storage: {prefix: p/}
                    s3: {bucket: legacy-bucket, region: us-east-1}
                    alioss: {bucket: oss-bucket}
                    """);

            assertThat(c.storage().prefix()).isEqualTo("p/");
            assertThat(c.storage().s3().bucket()).isEqualTo("legacy-bucket");
            assertThat(c.storage().alioss().bucket()).isEqualTo("oss-bucket");
            assertThat(c.warnings()).contains(
                    "s3 is deprecated, use storage.s3",
                    "alioss is deprecated, use storage.alioss");
        }

        @Test
        void storageProviderWinsOverTopLevelOne() {
            EgressConfig c = parse("storage: {gcp: {bucket: new}}\ngcp: {bucket: old}\n");

            assertThat(c.storage().gcp().bucket()).isEqualTo("new");
            assertThat(c.warnings()).containsExactly("gcp is deprecated and ignored because storage.gcp is set");
        }

        @Test
        void localDirectoryIsTheStagingDirectory() {
            EgressConfig c = parse("local_directory: /out/output");

            assertThat(c.localDirectory()).isEqualTo("/out/output");
            assertThat(c.warnings()).isEmpty();
        }

        @Test
        void storageEndpointsForTheProvidersWithoutAnEndpointField() {
            EgressConfig c = parse("storage_endpoints: {azure: 'http://127.0.0.1:10000/{account}', gcp: 'http://g',"
                    + " s3: 'http://s'}");

            assertThat(c.storageEndpoints()).containsEntry("azure", "http://127.0.0.1:10000/{account}")
                    .containsEntry("gcp", "http://g");
            assertThat(c.warnings()).singleElement().asString().startsWith("storage_endpoints.s3 is not read");
        }

        @Test
        void readmeBackupStorageIsReportedNotRead() {
            EgressConfig c = parse("backup_storage: /mnt/backup");

            assertThat(c.backup()).isNull();
            assertThat(c.warnings()).singleElement().asString().startsWith("backup_storage is not read");
        }

        @Test
        void deprecatedRedisUseTls() {
            EgressConfig c = parse("redis: {address: r:6379, use_tls: true}");

            assertThat(c.redis().useTls()).isTrue();
            assertThat(c.warnings()).containsExactly("redis.use_tls: deprecated, use redis.tls.enabled");
        }
    }

    /** The three YAML blocks of seed 001 (the older egress README), copied verbatim into test resources. */
    @Nested
    class Seed001 {
        @Test
        void documentationBlockLoadsWithWarnings() {
            EgressConfig c = parse(resource("seed001-documentation.yaml"));

            assertThat(c.warnings()).containsExactlyInAnyOrder(
                    "redis.db: \"redis db\" is not a valid integer; using 0",
                    "health_port: \"if used, will open an http port for health checks\" is not a valid integer; using 0",
                    "prometheus_port: \"port used to collect prometheus metrics. Used for autoscaling\" is not a valid integer; using 0",
                    "log_level is deprecated, use logging.level",
                    "log_level: \"debug, info, warn, or error (default info)\" is not a valid log level (debug, info, warn, error); using info",
                    "insecure: \"can be used to connect to an insecure websocket (default false)\" is not a valid boolean; using false",
                    "s3 is deprecated, use storage.s3",
                    "azure is deprecated, use storage.azure",
                    "gcp is deprecated, use storage.gcp",
                    "alioss is deprecated, use storage.alioss",
                    "storage: more than one of s3, gcp, azure, alioss is set (s3, gcp, azure, alioss); only s3 is used");
            assertThat(c.cpuCost().roomCompositeCpuCost()).isEqualTo(3.0);
            assertThat(c.cpuCost().webCpuCost()).isEqualTo(3.0);
            assertThat(c.cpuCost().trackCompositeCpuCost()).isEqualTo(2.0);
            assertThat(c.cpuCost().trackCpuCost()).isEqualTo(1.0);
            assertThat(c.cpuCost().participantCpuCost()).isEqualTo(2);
            assertThat(c.sessionLimits().fileOutputMaxDuration()).isEqualTo(Duration.ofHours(1));
            assertThat(c.sessionLimits().streamOutputMaxDuration()).isEqualTo(Duration.ofMinutes(90));
            assertThat(c.sessionLimits().segmentOutputMaxDuration()).isEqualTo(Duration.ofHours(3));
            assertThat(c.storage().s3().bucket()).isEqualTo("bucket to upload files to");
            assertThat(c.storage().s3().endpoint()).isEqualTo("(optional) custom endpoint");
            assertThat(c.storage().azure().containerName()).isEqualTo("container to upload files to");
            assertThat(c.storage().gcp().credentialsJson()).isEqualTo("GOOGLE_APPLICATION_CREDENTIALS env can be used instead");
            assertThat(c.storage().alioss().region()).isEqualTo("Ali OSS region");
            assertThat(c.redis().address()).isEqualTo("must be the same redis address used by your livekit server");
            assertThat(c.healthPort()).isZero();
            assertThat(c.insecure()).isFalse();
            assertThat(c.logging().level()).isEqualTo("info");
            assertThat(c.localDirectory()).startsWith("base path where to store media files");
        }

        @Test
        void runningLocallyBlock() {
            EgressConfig c = parse(resource("seed001-running-locally.yaml"));

            assertThat(c.warnings()).containsExactly("log_level is deprecated, use logging.level");
            assertThat(c.logging().level()).isEqualTo("debug");
            assertThat(c.insecure()).isTrue();
            assertThat(c.redis().address()).isEqualTo("192.168.65.2:6379");
            assertThat(c.wsUrl()).isEqualTo("ws://192.168.65.2:7880");
            assertThat(c.apiKey()).isEqualTo("your-api-key");
            assertThat(c.apiSecret()).isEqualTo("your-api-secret");
        }

        @Test
        void testConfigBlockIgnoresTestKeys() {
            EgressConfig c = parse(resource("seed001-test-config.yaml"));

            assertThat(c.warnings()).contains(
                    "log_level is deprecated, use logging.level",
                    "unknown config key \"gst_debug\" ignored",
                    "unknown config key \"room_name\" ignored",
                    "unknown config key \"room_only\" ignored",
                    "unknown config key \"muting\" ignored");
            assertThat(c.warnings()).filteredOn(w -> w.startsWith("unknown config key")).hasSize(10);
            assertThat(c.localDirectory()).isEqualTo("/out/output");
            assertThat(c.wsUrl()).isEqualTo("wss://your-livekit-url.com");
            assertThat(c.logging().level()).isEqualTo("debug");
        }
    }
}
