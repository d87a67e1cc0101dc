package org.jegress.api.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EgressConfigTest {
    private static final Map<String, String> NO_ENV = Map.of();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path REFERENCE = Path.of(System.getProperty("user.dir")).resolve("../docs/config-reference.yaml");
    /** Maps whose keys are data, not config keys. */
    private static final Set<String> FREE_FORM = Set.of(
            "chrome_flags", "logging.component_levels", "storage.s3.metadata", "latency_overrides");
    /** all-keys.yaml puts every provider into storage on purpose. */
    private static final String SEVERAL_PROVIDERS =
            "storage: more than one of s3, gcp, azure, alioss is set (s3, gcp, azure, alioss); only s3 is used";
    /** A commented-out key line of the reference file, e.g. "#   bucket: ..." or "  # s3:". */
    private static final Pattern COMMENTED_KEY = Pattern.compile("(?m)^(\\s*)# (\\s*[a-z0-9_]+:.*)$");

    private static final String ALL_KEYS = ConfigLoaderTest.resource("all-keys.yaml");

    private static Map<String, Object> yamlAsMap(String yaml) throws IOException {
        return YAML.readValue(yaml, new TypeReference<Map<String, Object>>() { });
    }

    private static Set<String> leafPaths(Map<?, ?> map) {
        Set<String> paths = new TreeSet<>();
        collectLeafPaths("", map, paths);
        return paths;
    }

    private static void collectLeafPaths(String prefix, Map<?, ?> map, Set<String> paths) {
        map.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key.toString() : prefix + "." + key;
            if (value instanceof Map<?, ?> child && !FREE_FORM.contains(path)) {
                collectLeafPaths(path, child, paths);
            } else {
                paths.add(path);
            }
        });
    }

    @Nested
    class EveryKey {
        private final EgressConfig config = ConfigLoader.parse(ALL_KEYS, NO_ENV);

        @Test
        void isKnown() {
            assertThat(config.warnings()).containsExactly(SEVERAL_PROVIDERS);
            assertThat(config.redis().tls().clientKeyFile()).isEqualTo("/key.pem");
            assertThat(config.redis().writeTimeoutMillis()).isEqualTo(300);
            assertThat(config.storage().s3().contentDisposition()).isEqualTo("attachment");
            assertThat(config.storage().gcp().proxyConfig().url()).isEqualTo("http://proxy:3128");
            assertThat(config.backup().s3().region()).isEqualTo("eu-central-1");
            assertThat(config.cpuCost().sdkAudioRoomCompositeMemoryCost()).isEqualTo(0.25);
            assertThat(config.latencyFor("track").oldPacketThreshold()).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.latency().rtpDriftAdjustmentWindowPercent()).isEqualTo(0.5);
            assertThat(config.debug().storage().s3().bucket()).isEqualTo("debug-bucket");
            assertThat(config.testOverrides().disconnectInjectionRoom()).isEqualTo("drop-");
            assertThat(config.pulseSinkReapGraceSec()).isEqualTo(-1);
        }

        @Test
        void appearsUnderTheSameNameInTheMapView() throws IOException {
            Set<String> written = leafPaths(ConfigMaps.toMap(config, false));

            assertThat(written).containsAll(leafPaths(yamlAsMap(ALL_KEYS)));
        }

        @Test
        void roundTripsThroughTheMapView() throws IOException {
            Map<String, Object> map = ConfigMaps.toMap(config, false);

            EgressConfig reloaded = ConfigLoader.parse(YAML.writeValueAsString(map), NO_ENV);

            assertThat(reloaded.warnings()).containsExactly(SEVERAL_PROVIDERS);
            assertThat(ConfigMaps.toMap(reloaded, false)).isEqualTo(map);
        }
    }

    @Nested
    class Redaction {
        private final EgressConfig config = ConfigLoader.parse(ALL_KEYS, NO_ENV);

        @Test
        void toStringNeverShowsSecrets() {
            assertThat(config.toString()).doesNotContain("secret-").contains("<redacted>");
            assertThat(config.redacted().toString()).doesNotContain("secret-");
            assertThat(List.of(config.redis(), config.storage(), config.storage().s3(), config.storage().azure(),
                    config.storage().gcp(), config.storage().alioss(), config.storage().s3().proxyConfig(),
                    config.debug()))
                    .allSatisfy(part -> assertThat(part.toString()).doesNotContain("secret-"));
        }

        @Test
        void keepsEverythingElse() {
            Map<String, Object> redacted = config.redacted();

            assertThat(redacted).containsEntry("api_secret", "<redacted>").containsEntry("api_key", "key-1");
            assertThat(redacted.get("redis").toString()).contains("address=redis:6379", "password=<redacted>");
            assertThat(ConfigLoader.defaults(NO_ENV).redacted()).containsEntry("api_secret", "");
        }
    }

    @Test
    void collectionsAreImmutable() {
        EgressConfig config = ConfigLoader.parse("chrome_flags: {a: 1}\nroom_only: true\n", NO_ENV);

        assertThatThrownBy(() -> config.warnings().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> config.chromeFlags().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> config.latencyOverrides().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void storageIsLocalOnlyWithoutProviders() {
        assertThat(new StorageConfig("p/", true, null, null, null, null).isLocal()).isTrue();
        assertThat(new StorageConfig("", false, null, new AzureConfig("a", "k", "c"), null, null).isLocal()).isFalse();
        assertThat(new StorageConfig("", false, null, null, null, new AliOssConfig("", "", "", "", "b")).isLocal())
                .isFalse();
    }

    /** docs/config-reference.yaml: the commented reference of every key. */
    @Nested
    class Reference {
        private String text() throws IOException {
            assertThat(REFERENCE).exists();
            return Files.readString(REFERENCE);
        }

        @Test
        void loadsToExactlyTheDefaults() throws IOException {
            EgressConfig reference = ConfigLoader.parse(text(), NO_ENV);
            EgressConfig defaults = ConfigLoader.defaults(NO_ENV);

            assertThat(reference.warnings()).isEmpty();
            assertThat(reference.templatePort()).isEqualTo(7980);
            assertThat(reference.templateBase()).isEqualTo("http://localhost:7980/");
            assertThat(reference.ioCreateTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(reference.maxUploadQueue()).isEqualTo(60);
            assertThat(reference.logging().level()).isEqualTo("info");
            assertThat(reference.cpuCost()).isEqualTo(defaults.cpuCost());
            assertThat(reference.latency()).isEqualTo(defaults.latency());
            assertThat(reference.sessionLimits()).isEqualTo(defaults.sessionLimits());
            assertThat(reference.storage()).isNull();
            assertThat(reference.redacted()).isEqualTo(defaults.redacted());
        }

        @Test
        void listsEveryKeyOnceTheOptionalBlocksAreUncommented() throws IOException {
            String uncommented = COMMENTED_KEY.matcher(text()).replaceAll("$1$2");

            EgressConfig full = ConfigLoader.parse(uncommented, NO_ENV);

            assertThat(full.warnings()).containsExactly(SEVERAL_PROVIDERS);
            assertThat(full.redis().tls()).isNotNull();
            assertThat(leafPaths(yamlAsMap(uncommented))).isEqualTo(leafPaths(yamlAsMap(ALL_KEYS)));
        }
    }
}
