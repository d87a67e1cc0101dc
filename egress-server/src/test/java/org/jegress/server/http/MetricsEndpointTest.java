package org.jegress.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jegress.api.admission.Admission;
import org.jegress.api.admission.HandlerResult;
import org.jegress.api.config.ConfigLoader;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private static final Map<String, String> NODE = Map.of("node_id", "NE_test", "cluster_id", "cluster-a");

    private static Map<String, String> node(String... kv) {
        Map<String, String> m = new TreeMap<>(NODE);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Worker state the test flips. */
    static final class State implements EgressMetrics.WorkerState {
        final AtomicBoolean idle = new AtomicBoolean(true);
        final AtomicBoolean disabled = new AtomicBoolean();
        final AtomicBoolean terminating = new AtomicBoolean();

        @Override
        public boolean isIdle() {
            return idle.get();
        }

        @Override
        public boolean isDisabled() {
            return disabled.get();
        }

        @Override
        public boolean isTerminating() {
            return terminating.get();
        }
    }

    private static PromText scrape(MetricsEndpoint endpoint) throws Exception {
        HttpResponse<String> r = HttpGet.get(endpoint.port(), "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        return PromText.parse(r.body());
    }

    @Test
    void exposesUpstreamMetricsWithTheirLabels() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
        Admission admission = new Admission(ConfigLoader.parse("cpu_cost: {max_memory: 16}", Map.of()).cpuCost(),
                8, clock);
        State state = new State();
        AtomicReference<Double> load = new AtomicReference<>(0.25);
        EgressMetrics metrics = new EgressMetrics(new PromRegistry(), "NE_test", "cluster-a", admission, state,
                load::get);

        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, metrics.registry())) {
            PromText p = scrape(endpoint);

            for (String gauge : new String[] {"livekit_egress_available", "livekit_egress_can_accept_request",
                "livekit_egress_is_disabled", "livekit_egress_is_terminating", "livekit_node_cpu_load",
                "livekit_egress_requests", "livekit_load_ratio", "livekit_egress_proc_rss_bytes",
                "livekit_egress_cgroup_memory_bytes", "livekit_egress_cgroup_read_success",
                "livekit_egress_would_reject_cgroup", "jvm_memory_used_bytes", "jvm_threads_current"}) {
                PromText.Family f = p.family(gauge);
                assertThat(f.type()).as(gauge).isEqualTo("gauge");
                assertThat(f.help()).as(gauge).isNotBlank();
                if (gauge.startsWith("livekit_")) {
                    assertThat(f.samples()).allSatisfy(s -> assertThat(s.labels())
                            .containsAllEntriesOf(NODE));
                }
            }
            assertThat(p.family("process_cpu_seconds_total").type()).isEqualTo("counter");
            assertThat(p.families).doesNotContainKey("livekit_egress_handler_results_total"); // no series yet

            // idle node
            assertThat(p.value("livekit_egress_available", NODE)).isEqualTo(1);
            assertThat(p.value("livekit_egress_can_accept_request", NODE)).isEqualTo(1);
            assertThat(p.value("livekit_egress_is_disabled", NODE)).isZero();
            assertThat(p.value("livekit_egress_is_terminating", NODE)).isZero();
            assertThat(p.value("livekit_node_cpu_load", node("node_type", "EGRESS"))).isEqualTo(0.25);
            assertThat(p.value("livekit_load_ratio", node("type", "cpu"))).isCloseTo(0.3125, within(1e-12));
            assertThat(p.value("livekit_load_ratio", node("type", "memory"))).isZero();
            assertThat(p.family("livekit_egress_requests").samples()).extracting(s -> s.labels().get("type"))
                    .containsExactlyInAnyOrder("room_composite", "web", "participant", "track_composite", "track",
                            "template", "media");
            assertThat(p.family("livekit_egress_requests").samples()).allSatisfy(s ->
                    assertThat(s.value()).isZero());
            assertThat(p.value("jvm_threads_current", Map.of())).isPositive();
            assertThat(p.value("jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();

            // a web egress runs, the node gets busy and is shutting down
            admission.accept(StartEgressRequest.newBuilder().setEgressId("EG_1")
                    .setWeb(WebEgressRequest.newBuilder().setUrl("https://a")).build());
            admission.accept(StartEgressRequest.newBuilder().setEgressId("EG_2")
                    .setTrack(TrackEgressRequest.newBuilder().setTrackId("TR")).build());
            admission.updateUsage("EG_1", 2, 3L << 30);
            admission.updateServiceMemory(1L << 30);
            admission.updateCgroupMemory(OptionalLong.of(5L << 30));
            state.idle.set(false);
            load.set(0.9);
            metrics.handlerResult("web", HandlerResult.COMPLETED);
            metrics.handlerResult("web", HandlerResult.COMPLETED);
            metrics.handlerResult("track", HandlerResult.KILLED_OOM);
            p = scrape(endpoint);
            assertThat(p.value("livekit_egress_available", NODE)).isZero();
            // 8 × 0.8 − 4 − 0.5 = 1.9 cores left: a 4-core web egress no longer fits
            assertThat(p.value("livekit_egress_can_accept_request", NODE)).isZero();
            assertThat(p.value("livekit_egress_requests", node("type", "web"))).isEqualTo(1);
            assertThat(p.value("livekit_egress_requests", node("type", "track"))).isEqualTo(1);
            assertThat(p.value("livekit_node_cpu_load", node("node_type", "EGRESS"))).isEqualTo(0.9);
            assertThat(p.value("livekit_egress_proc_rss_bytes", NODE)).isEqualTo(4L << 30);
            assertThat(p.value("livekit_load_ratio", node("type", "memory"))).isEqualTo(0.25);
            assertThat(p.value("livekit_egress_cgroup_memory_bytes", NODE)).isEqualTo(5L << 30);
            assertThat(p.value("livekit_egress_cgroup_read_success", NODE)).isEqualTo(1);
            PromText.Family results = p.family("livekit_egress_handler_results_total");
            assertThat(results.type()).isEqualTo("counter");
            assertThat(results.help()).isEqualTo("Total number of egress handler outcomes, by result");
            assertThat(p.value("livekit_egress_handler_results_total", node("type", "web", "result", "completed")))
                    .isEqualTo(2);
            assertThat(p.value("livekit_egress_handler_results_total",
                    node("type", "track", "result", "killed_oom"))).isEqualTo(1);

            state.disabled.set(true);
            state.terminating.set(true);
            admission.ended("EG_1");
            admission.ended("EG_2");
            p = scrape(endpoint);
            assertThat(p.value("livekit_egress_is_disabled", NODE)).isEqualTo(1);
            assertThat(p.value("livekit_egress_is_terminating", NODE)).isEqualTo(1);
            // capacity is back, but a disabled node does not accept
            assertThat(p.value("livekit_egress_can_accept_request", NODE)).isZero();

            // any path and method
            assertThat(HttpGet.get(endpoint.port(), "/").statusCode()).isEqualTo(200);
            assertThat(HttpGet.send("HEAD", endpoint.port(), "/x").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void noMemoryRatioWithoutMaxMemoryAndSeveralSources() throws Exception {
        Admission admission = new Admission(ConfigLoader.parse("", Map.of()).cpuCost(), 4, Clock.systemUTC());
        EgressMetrics metrics = new EgressMetrics(new PromRegistry(), "NE_x", "", admission, new State(), () -> 0);
        PromRegistry extra = new PromRegistry();
        extra.gauge("extra_metric", "from another source", Map.of(), () -> 42);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, metrics.registry(), extra)) {
            PromText p = scrape(endpoint);
            assertThat(p.family("livekit_load_ratio").samples()).extracting(s -> s.labels().get("type"))
                    .containsExactly("cpu");
            assertThat(p.value("extra_metric", Map.of())).isEqualTo(42);
            assertThat(p.family("livekit_egress_available").samples().get(0).labels())
                    .isEqualTo(Map.of("node_id", "NE_x", "cluster_id", ""));
            assertThat(p.value("livekit_egress_cgroup_read_success", Map.of("node_id", "NE_x", "cluster_id", "")))
                    .isZero();
        }
        assertThat(MetricsEndpoint.startIfEnabled(0, extra)).isEmpty();
    }
}
