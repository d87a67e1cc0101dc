package org.jegress.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Map;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

class PromRegistryTest {

    @Test
    void canonicalSeriesNames() {
        assertThat(PromRegistry.name("up", Map.of())).isEqualTo("up");
        assertThat(PromRegistry.name("x_total", Map.of("type", "web", "node_id", "NE_1")))
                .isEqualTo("x_total{node_id=\"NE_1\",type=\"web\"}");
        assertThat(PromRegistry.name("x", Map.of("v", "a\"b\\c\nd"))).isEqualTo("x{v=\"a\\\"b\\\\c\\nd\"}");
        assertThatThrownBy(() -> PromRegistry.name("bad-name", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromRegistry.name("ok", Map.of("bad-label", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromRegistry.name("ok", Map.of("__reserved", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesFamiliesWithHelpTypeAndSortedSeries() throws Exception {
        MetricRegistry dropwizard = new MetricRegistry();
        PromRegistry r = new PromRegistry(dropwizard);
        r.gauge("a_gauge", "A gauge.\nSecond line \\ backslash", Map.of("k", "2"), () -> 2.5);
        r.gauge("a_gauge", "A gauge.\nSecond line \\ backslash", Map.of("k", "1"), () -> 1);
        r.gauge("a_gauge", "A gauge.\nSecond line \\ backslash", Map.of("k", "1"), () -> 7); // replaces
        r.gauge("a_bool", "boolean", Map.of(), () -> null); // left out
        r.gauge("a_failing", "throws", Map.of(), () -> {
            throw new IllegalStateException("boom");
        });
        r.counter("b_total", "Counted things", Map.of("result", "ok")).inc(3);
        r.counterFunction("c_seconds_total", "Running total", Map.of(), () -> 1.25);
        r.gauge("d_special", "special values", Map.of("v", "inf"), () -> Double.POSITIVE_INFINITY);
        r.gauge("d_special", "special values", Map.of("v", "nan"), () -> Double.NaN);
        r.gauge("d_special", "special values", Map.of("v", "big"), () -> 1e20);
        // plain Dropwizard metrics registered by other code
        dropwizard.counter("jobs.done").inc();
        dropwizard.meter("requests-rate").mark(4);
        dropwizard.histogram("ignored.histogram").update(1);
        dropwizard.register("flag", (Gauge<Boolean>) () -> true);
        dropwizard.register("text", (Gauge<String>) () -> "not a number");

        StringBuilder sb = new StringBuilder();
        r.writeTo(sb);
        String text = sb.toString();
        assertThat(text).contains("# HELP a_gauge A gauge.\\nSecond line \\\\ backslash\n"
                + "# TYPE a_gauge gauge\n"
                + "a_gauge{k=\"1\"} 7\n"
                + "a_gauge{k=\"2\"} 2.5\n");
        assertThat(text).contains("# TYPE b_total counter\nb_total{result=\"ok\"} 3\n");
        assertThat(text).contains("# TYPE c_seconds_total counter\nc_seconds_total 1.25\n");

        PromText parsed = PromText.parse(text);
        assertThat(parsed.families).containsOnlyKeys("a_gauge", "b_total", "c_seconds_total", "d_special",
                "flag", "jobs_done", "requests_rate");
        assertThat(parsed.family("a_gauge").help()).isEqualTo("A gauge.\nSecond line \\ backslash");
        assertThat(parsed.value("d_special", Map.of("v", "inf"))).isInfinite();
        assertThat(parsed.value("d_special", Map.of("v", "nan"))).isNaN();
        assertThat(parsed.value("d_special", Map.of("v", "big"))).isEqualTo(1e20);
        assertThat(parsed.value("flag", Map.of())).isEqualTo(1);
        assertThat(parsed.family("jobs_done").type()).isEqualTo("counter");
        assertThat(parsed.value("requests_rate", Map.of())).isEqualTo(4);
        assertThat(new ArrayList<>(parsed.families.keySet())).isSorted();

        assertThat(r.remove("a_gauge", Map.of("k", "1"))).isTrue();
        sb.setLength(0);
        r.writeTo(sb);
        assertThat(PromText.parse(sb.toString()).family("a_gauge").samples()).hasSize(1);
    }

    @Test
    void histogramsHaveCumulativeBucketsSumAndCount() throws Exception {
        PromRegistry r = new PromRegistry();
        double[] buckets = {10, 100, 1000};
        r.observe("upload_ms", "Upload time", Map.of("type", "video/mp4"), buckets, 42);
        r.observe("upload_ms", "Upload time", Map.of("type", "video/mp4"), buckets, 5);
        r.observe("upload_ms", "Upload time", Map.of("type", "video/mp4"), buckets, 5000.5);
        StringBuilder out = new StringBuilder();
        r.writeTo(out);
        assertThat(out.toString()).isEqualTo(String.join("\n",
                "# HELP upload_ms Upload time",
                "# TYPE upload_ms histogram",
                "upload_ms_bucket{le=\"10\",type=\"video/mp4\"} 1",
                "upload_ms_bucket{le=\"100\",type=\"video/mp4\"} 2",
                "upload_ms_bucket{le=\"1000\",type=\"video/mp4\"} 2",
                "upload_ms_bucket{le=\"+Inf\",type=\"video/mp4\"} 3",
                "upload_ms_sum{type=\"video/mp4\"} 5047.5",
                "upload_ms_count{type=\"video/mp4\"} 3",
                ""));
    }

    @Test
    void labelsEndingInLeAreNotTakenForTheBucketBound() throws Exception {
        PromRegistry r = new PromRegistry();
        r.observe("rpc_ms", "RPC time", Map.of("role", "server"), new double[] {10}, 3);
        r.observe("rpc_ms", "RPC time", Map.of("role", "client"), new double[] {10}, 30);
        StringBuilder out = new StringBuilder();
        r.writeTo(out);
        assertThat(out.toString()).isEqualTo(String.join("\n",
                "# HELP rpc_ms RPC time",
                "# TYPE rpc_ms histogram",
                "rpc_ms_bucket{le=\"10\",role=\"client\"} 0",
                "rpc_ms_bucket{le=\"+Inf\",role=\"client\"} 1",
                "rpc_ms_sum{role=\"client\"} 30",
                "rpc_ms_count{role=\"client\"} 1",
                "rpc_ms_bucket{le=\"10\",role=\"server\"} 1",
                "rpc_ms_bucket{le=\"+Inf\",role=\"server\"} 1",
                "rpc_ms_sum{role=\"server\"} 3",
                "rpc_ms_count{role=\"server\"} 1",
                ""));
    }

    @Test
    void valueFormatting() {
        assertThat(PromRegistry.formatValue(0)).isEqualTo("0");
        assertThat(PromRegistry.formatValue(-3)).isEqualTo("-3");
        assertThat(PromRegistry.formatValue(0.3125)).isEqualTo("0.3125");
        assertThat(PromRegistry.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(Double.parseDouble(PromRegistry.formatValue(1.5e-7))).isEqualTo(1.5e-7);
    }
}
