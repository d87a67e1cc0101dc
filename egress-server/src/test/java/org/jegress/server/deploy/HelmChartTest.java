package org.jegress.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart in {@code deploy/helm/egress}, through the real {@code helm} (from the Go module proxy; {@code
 * scripts/setup test} installs it): it lints, renders, and the rendered objects are what a cluster needs — a
 * Deployment that drains (grace period), runs non-root with the config file the worker reads, probes the health port
 * and is scraped on the metrics port; an HPA on the busy form of {@code livekit_egress_available} served by the
 * prometheus-adapter rule next to the chart; a PDB; a Service for the metrics. {@code deploy/manifests/egress.yaml}
 * is that rendering, kept in step with the chart.
 */
class HelmChartTest {

    private static final Path ROOT = Paths.get(System.getProperty("jegress.root", "..")).toAbsolutePath().normalize();
    private static final Path CHART = ROOT.resolve("deploy/helm/egress");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static String helm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        Path local = Path.of(System.getProperty("user.home"), "go", "bin", "helm");
        cmd.add(Files.isExecutable(local) ? local.toString() : "helm");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("helm %s:%n%s", String.join(" ", args), out).isZero();
        return out;
    }

    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    static JsonNode only(List<JsonNode> docs, String kind) {
        List<JsonNode> of = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertThat(of).as("one %s", kind).hasSize(1);
        return of.get(0);
    }

    @Test
    void chartLints() throws Exception {
        assertThat(helm("lint", CHART.toString(), "--strict", "--set", "autoscaling.enabled=true"))
                .contains("1 chart(s) linted, 0 chart(s) failed");
    }

    @Test
    void renderedObjectsDeployADrainingAutoscaledWorker() throws Exception {
        List<JsonNode> docs = documents(helm("template", "egress", CHART.toString(), "--namespace", "egress",
                "--set", "autoscaling.enabled=true"));
        assertThat(docs).extracting(d -> d.path("kind").asText())
                .containsExactlyInAnyOrder("ConfigMap", "Deployment", "HorizontalPodAutoscaler",
                        "PodDisruptionBudget", "Service");

        JsonNode deployment = only(docs, "Deployment");
        JsonNode pod = deployment.at("/spec/template");
        assertThat(deployment.at("/spec/replicas").isMissingNode()).as("replicas left to the HPA").isTrue();
        assertThat(pod.at("/spec/terminationGracePeriodSeconds").asLong()).as("time to drain").isGreaterThanOrEqualTo(3600);
        assertThat(pod.at("/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/spec/securityContext/runAsUser").asLong()).isPositive();
        JsonNode container = pod.at("/spec/containers/0");
        assertThat(container.at("/args/0").asText()).isEqualTo("server");
        assertThat(container.at("/env/0/name").asText()).isEqualTo("EGRESS_CONFIG_FILE");
        assertThat(container.at("/env/0/value").asText()).isEqualTo("/etc/egress/config.yaml");
        assertThat(container.at("/resources/requests/cpu").asText()).isEqualTo("4");
        assertThat(container.at("/resources/requests/memory").asText()).isEqualTo("4Gi");
        assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("health");
        assertThat(pod.at("/metadata/annotations").get("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(pod.at("/metadata/annotations").get("prometheus.io/port").asText()).isEqualTo("9090");
        assertThat(container.at("/ports")).extracting(p -> p.path("name").asText() + ":" + p.path("containerPort").asInt())
                .containsExactlyInAnyOrder("metrics:9090", "health:8080");
        assertThat(pod.at("/spec/volumes")).anySatisfy(v -> {
            assertThat(v.path("name").asText()).isEqualTo("shm");
            assertThat(v.at("/emptyDir/medium").asText()).isEqualTo("Memory");
        });

        // the config the pod mounts is one the worker accepts, with the ports the objects name
        JsonNode configMap = only(docs, "ConfigMap");
        EgressConfig config = ConfigLoader.parse(configMap.at("/data/config.yaml").asText(), java.util.Map.of());
        assertThat(config.prometheusPort()).isEqualTo(9090);
        assertThat(config.healthPort()).isEqualTo(8080);
        assertThat(config.warnings()).isEmpty();

        JsonNode hpa = only(docs, "HorizontalPodAutoscaler");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(deployment.at("/metadata/name").asText());
        JsonNode metric = hpa.at("/spec/metrics/0");
        assertThat(metric.path("type").asText()).isEqualTo("Pods");
        assertThat(metric.at("/pods/metric/name").asText()).isEqualTo("livekit_egress_busy");
        assertThat(metric.at("/pods/target/type").asText()).isEqualTo("AverageValue");
        assertThat(metric.at("/pods/target/averageValue").asText()).isEqualTo("0.7");
        // ... which prometheus-adapter derives from livekit_egress_available
        JsonNode rule = YAML.readTree(CHART.resolveSibling("prometheus-adapter-values.yaml").toFile())
                .at("/rules/custom/0");
        assertThat(rule.at("/name/as").asText()).isEqualTo("livekit_egress_busy");
        assertThat(rule.path("seriesQuery").asText()).startsWith("livekit_egress_available{");
        assertThat(rule.path("metricsQuery").asText()).startsWith("1 - ");

        JsonNode pdb = only(docs, "PodDisruptionBudget");
        assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        assertThat(pdb.at("/spec/selector/matchLabels")).isEqualTo(deployment.at("/spec/selector/matchLabels"));

        JsonNode service = only(docs, "Service");
        assertThat(service.at("/spec/selector")).isEqualTo(deployment.at("/spec/selector/matchLabels"));
        assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("metrics");
    }

    @Test
    void withoutAutoscalingTheReplicaCountHolds() throws Exception {
        List<JsonNode> docs = documents(helm("template", "egress", CHART.toString(), "--set", "replicaCount=3"));
        assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("HorizontalPodAutoscaler"));
        assertThat(only(docs, "Deployment").at("/spec/replicas").asInt()).isEqualTo(3);
    }

    @Test
    void plainManifestsAreTheChartsRendering() throws Exception {
        String rendered = helm("template", "egress", CHART.toString(), "--namespace", "egress");
        Path manifests = ROOT.resolve("deploy/manifests/egress.yaml");
        assertThat(Files.readString(manifests)).as("deploy/manifests/egress.yaml is stale: run deploy/render.sh")
                .isEqualTo(rendered);
    }
}
