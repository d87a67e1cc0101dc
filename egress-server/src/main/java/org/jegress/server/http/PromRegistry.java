package org.jegress.server.http;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus metrics held in a Dropwizard {@link MetricRegistry}, written as text format 0.0.4.
 *
 * <p>Dropwizard has no labels, so a labelled Prometheus series is stored under its canonical sample name, e.g.
 * {@code livekit_egress_requests{cluster_id="C",node_id="N",type="web"}} — labels sorted by name, values escaped —
 * built by {@link #name(String, Map)}. The registry therefore stays a plain Dropwizard registry that other code may
 * add to; plain dotted Dropwizard names are exported with every character outside {@code [a-zA-Z0-9_:]} turned into
 * '_'. Exported: {@link Gauge}s with a {@link Number} or {@link Boolean} value as {@code gauge}, and {@link Counter}s
 * and {@link Meter}s (their count) as {@code counter}; histograms and timers are not exported. The {@code # HELP}
 * text and, when it differs from that default, the {@code # TYPE} of a family are declared through this class.
 *
 * <p>Why not the Prometheus client's Dropwizard bridge: it cannot express upstream's label sets (constant
 * {@code node_id}/{@code cluster_id} plus {@code type}/{@code result}) without a mapper per metric, and it replaces
 * help texts with generated ones; the text format itself is a few lines.
 */
public final class PromRegistry implements MetricsSource {

    private static final Logger log = LoggerFactory.getLogger(PromRegistry.class);

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** The {@code le} label of a bucket series, with its trailing comma. */
    private static final Pattern LE = Pattern.compile("(?<=[{,])le=\"([^\"]*)\",?");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Prometheus metric types this registry writes. */
    public enum Type {
        GAUGE("gauge"),
        COUNTER("counter"),
        HISTOGRAM("histogram");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        /** The word in a {@code # TYPE} line. */
        public String text() {
            return text;
        }
    }

    private record Family(String help, Type type) {
    }

    private final MetricRegistry registry;
    private final Map<String, Family> families = new ConcurrentHashMap<>();

    /** A registry over a new, empty Dropwizard registry. */
    public PromRegistry() {
        this(new MetricRegistry());
    }

    /** A registry over an existing Dropwizard registry. */
    public PromRegistry(MetricRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The Dropwizard registry holding the values. */
    public MetricRegistry dropwizard() {
        return registry;
    }

    /**
     * The Dropwizard name of a series: {@code family} alone without labels, else
     * {@code family{a="x",b="y"}} with the labels sorted by name and their values escaped as the text format wants.
     *
     * @throws IllegalArgumentException for a name or label name Prometheus does not allow
     */
    public static String name(String family, Map<String, String> labels) {
        if (!METRIC_NAME.matcher(family).matches()) {
            throw new IllegalArgumentException("invalid metric name: " + family);
        }
        if (labels.isEmpty()) {
            return family;
        }
        StringBuilder sb = new StringBuilder(family).append('{');
        new TreeMap<>(labels).forEach((k, v) -> {
            if (!LABEL_NAME.matcher(k).matches() || k.startsWith("__")) {
                throw new IllegalArgumentException("invalid label name: " + k);
            }
            if (sb.charAt(sb.length() - 1) != '{') {
                sb.append(',');
            }
            sb.append(k).append("=\"").append(escapeLabelValue(v)).append('"');
        });
        return sb.append('}').toString();
    }

    /** Declares a family's help text and type (needed only where the type differs from the metric's own). */
    public void describe(String family, String help, Type type) {
        families.put(family, new Family(help, type));
    }

    /**
     * Registers (or replaces) a gauge whose value is read at every scrape; a supplier that throws or returns null
     * leaves the series out of that scrape.
     */
    public void gauge(String family, String help, Map<String, String> labels, Supplier<? extends Number> value) {
        register(family, help, Type.GAUGE, labels, value);
    }

    /**
     * Registers (or replaces) a counter whose running total is read at every scrape, for totals kept elsewhere
     * (e.g. process CPU seconds).
     */
    public void counterFunction(String family, String help, Map<String, String> labels,
                                Supplier<? extends Number> total) {
        register(family, help, Type.COUNTER, labels, total);
    }

    private void register(String family, String help, Type type, Map<String, String> labels,
                          Supplier<? extends Number> value) {
        String name = name(family, labels);
        describe(family, help, type);
        Gauge<Number> gauge = value::get;
        registry.remove(name);
        registry.register(name, gauge);
    }

    /** The counter of a series, created on first use (series appear once counted, as in the Go client). */
    public Counter counter(String family, String help, Map<String, String> labels) {
        String name = name(family, labels);
        families.putIfAbsent(family, new Family(help, Type.COUNTER));
        return registry.counter(name);
    }

    /**
     * Records one observation in a histogram series (cumulative {@code _bucket{le}} counters, {@code _sum},
     * {@code _count}), created on first use.
     *
     * @param buckets the upper bounds, ascending; {@code +Inf} is added
     */
    public void observe(String family, String help, Map<String, String> labels, double[] buckets, double value) {
        families.putIfAbsent(family, new Family(help, Type.HISTOGRAM));
        for (double le : buckets) {
            if (value <= le) {
                registry.counter(bucketName(family, labels, formatValue(le))).inc();
            } else {
                registry.counter(bucketName(family, labels, formatValue(le)));
            }
        }
        registry.counter(bucketName(family, labels, "+Inf")).inc();
        registry.counter(name(family + "_count", labels)).inc();
        // the sum in thousandths, so it stays an exact counter
        registry.counter(name(family + "_sum_milli", labels)).inc(Math.round(value * 1000));
    }

    private static String bucketName(String family, Map<String, String> labels, String le) {
        Map<String, String> withLe = new TreeMap<>(labels);
        withLe.put("le", le);
        return name(family + "_bucket", withLe);
    }

    /** The histogram a {@code _bucket}, {@code _count} or {@code _sum_milli} series belongs to, else null. */
    private String histogramOf(String family) {
        for (String suffix : new String[] {"_bucket", "_count", "_sum_milli"}) {
            if (family.endsWith(suffix)) {
                String base = family.substring(0, family.length() - suffix.length());
                Family f = families.get(base);
                if (f != null && f.type() == Type.HISTOGRAM) {
                    return base;
                }
            }
        }
        return null;
    }

    /** Removes one series. */
    public boolean remove(String family, Map<String, String> labels) {
        return registry.remove(name(family, labels));
    }

    /** Writes every family, sorted by name, series sorted within it. */
    @Override
    public void writeTo(Appendable out) throws IOException {
        // family -> (series name -> value)
        Map<String, Map<String, String>> samples = new TreeMap<>();
        Map<String, Type> inferred = new TreeMap<>();
        for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
            String series = e.getKey();
            int brace = series.indexOf('{');
            String family = brace < 0 ? sanitize(series) : series.substring(0, brace);
            if (brace < 0) {
                series = family;
            }
            Metric m = e.getValue();
            Double value;
            Type type;
            String histogram = histogramOf(family);
            if (histogram != null) {
                double count = ((Counting) m).getCount();
                if (family.endsWith("_sum_milli")) {
                    series = histogram + "_sum" + series.substring(family.length());
                    count /= 1000;
                }
                samples.computeIfAbsent(histogram, k -> new TreeMap<>(PromRegistry::histogramOrder))
                        .put(series, formatValue(count));
                continue;
            }
            if (m instanceof Gauge) {
                value = gaugeValue(series, (Gauge<?>) m);
                type = Type.GAUGE;
            } else if (m instanceof Counter || m instanceof Meter) {
                value = (double) ((Counting) m).getCount();
                type = Type.COUNTER;
            } else {
                continue;
            }
            if (value == null) {
                continue;
            }
            samples.computeIfAbsent(family, k -> new TreeMap<>()).put(series, formatValue(value));
            inferred.putIfAbsent(family, type);
        }
        for (Map.Entry<String, Map<String, String>> f : samples.entrySet()) {
            String family = f.getKey();
            Family declared = families.get(family);
            String help = declared == null || declared.help() == null ? family : declared.help();
            Type type = declared == null ? inferred.get(family) : declared.type();
            out.append("# HELP ").append(family).append(' ').append(escapeHelp(help)).append('\n');
            out.append("# TYPE ").append(family).append(' ').append(type.text()).append('\n');
            for (Map.Entry<String, String> s : f.getValue().entrySet()) {
                out.append(s.getKey()).append(' ').append(s.getValue()).append('\n');
            }
        }
    }

    /** Series of one histogram: by labels, then buckets by ascending {@code le}, then {@code _sum}, {@code _count}. */
    private static int histogramOrder(String a, String b) {
        String ka = withoutLe(a);
        String kb = withoutLe(b);
        int c = ka.compareTo(kb);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(rank(a), rank(b));
        return c != 0 ? c : Double.compare(le(a), le(b));
    }

    /** The series' labels without {@code le} (not to be confused with labels ending in "le", like {@code role}). */
    private static String withoutLe(String series) {
        return LE.matcher(series).replaceAll("").replace(",}", "}").replaceFirst("_(bucket|sum|count)\\{", "{");
    }

    private static int rank(String series) {
        return series.contains("_bucket{") ? 0 : series.contains("_sum") ? 1 : 2;
    }

    private static double le(String series) {
        java.util.regex.Matcher m = LE.matcher(series);
        if (!m.find()) {
            return 0;
        }
        return m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
    }

    private static Double gaugeValue(String series, Gauge<?> gauge) {
        Object v;
        try {
            v = gauge.getValue();
        } catch (RuntimeException e) {
            log.debug("gauge {} failed", series, e);
            return null;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? 1.0 : 0.0;
        }
        return null;
    }

    /** Dropwizard's dotted names to Prometheus's alphabet. */
    static String sanitize(String name) {
        String s = name.replaceAll("[^a-zA-Z0-9_:]", "_");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    /** A sample value: integers without a fraction, {@code +Inf}, {@code -Inf}, {@code NaN} spelt as Prometheus does. */
    static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String escapeLabelValue(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
