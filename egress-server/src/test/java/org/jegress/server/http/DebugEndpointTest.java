package org.jegress.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class DebugEndpointTest {

    private static final Map<String, CompletableFuture<String>> EGRESSES = Map.of(
            "EG_running", CompletableFuture.completedFuture("digraph pipeline {\n}\n"),
            "EG_starting", CompletableFuture.completedFuture(""),
            "EG_stuck", new CompletableFuture<>());

    private static DebugEndpoint start() {
        return DebugEndpoint.start(0, id -> Optional.ofNullable(EGRESSES.get(id)));
    }

    @Test
    void pipelineGraphOfARunningEgress() throws Exception {
        try (DebugEndpoint e = start()) {
            HttpResponse<String> r = HttpGet.get(e.port(), "/gst_pipeline/EG_running");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> v.startsWith("text/vnd.graphviz"));
            assertThat(r.body()).startsWith("digraph");
        }
    }

    @Test
    void unknownNotYetAndSilentEgressesSaySo() throws Exception {
        try (DebugEndpoint e = start()) {
            assertThat(HttpGet.get(e.port(), "/gst_pipeline/EG_nope").statusCode()).isEqualTo(404);
            assertThat(HttpGet.get(e.port(), "/gst_pipeline/EG_starting").statusCode()).isEqualTo(503);
            long t0 = System.nanoTime();
            HttpResponse<String> stuck = HttpGet.get(e.port(), "/gst_pipeline/EG_stuck");
            assertThat(stuck.statusCode()).isEqualTo(504);
            assertThat((System.nanoTime() - t0) / 1e6).isGreaterThanOrEqualTo(DebugEndpoint.DOT_TIMEOUT_MS - 50);
            assertThat(HttpGet.get(e.port(), "/other").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void threadDumpOfTheWorker() throws Exception {
        try (DebugEndpoint e = start()) {
            HttpResponse<String> r = HttpGet.get(e.port(), "/threads");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("egress-debug-");
        }
    }
}
