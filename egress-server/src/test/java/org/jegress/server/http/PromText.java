package org.jegress.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text format 0.0.4, for tests: every family has one HELP and one TYPE line
 * before its samples, samples of a family are contiguous, names and labels are well formed, values are numbers.
 */
final class PromText {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, String help, String type, List<Sample> samples) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME.pattern() + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME.pattern()
            + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    final Map<String, Family> families = new LinkedHashMap<>();

    static PromText parse(String text) {
        PromText p = new PromText();
        assertThat(text).endsWith("\n");
        String help = null;
        String helpFor = null;
        Family current = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                assertThat(p.families).as("second HELP for " + m.group(1)).doesNotContainKey(m.group(1));
                helpFor = m.group(1);
                help = m.group(2).replace("\\n", "\n").replace("\\\\", "\\");
                continue;
            }
            if ((m = TYPE.matcher(line)).matches()) {
                assertThat(m.group(1)).as("TYPE right after its HELP").isEqualTo(helpFor);
                assertThat(p.families).as("second TYPE for " + m.group(1)).doesNotContainKey(m.group(1));
                current = new Family(m.group(1), help, m.group(2), new ArrayList<>());
                p.families.put(current.name(), current);
                continue;
            }
            if (line.startsWith("#")) {
                fail("unexpected comment: " + line);
            }
            Sample s = sample(line);
            assertThat(current).as("sample before any TYPE: " + line).isNotNull();
            assertThat(s.name()).as("sample of the current family")
                    .isIn(current.type().equals("histogram")
                            ? List.of(current.name() + "_bucket", current.name() + "_sum", current.name() + "_count")
                            : List.of(current.name()));
            current.samples().add(s);
        }
        return p;
    }

    private static Sample sample(String line) {
        int i = 0;
        Matcher n = NAME.matcher(line);
        assertThat(n.lookingAt()).as("metric name in: " + line).isTrue();
        String name = n.group();
        i = n.end();
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                Matcher ln = LABEL_NAME.matcher(line).region(i, line.length());
                assertThat(ln.lookingAt()).as("label name in: " + line).isTrue();
                String label = ln.group();
                i = ln.end();
                assertThat(line.substring(i, i + 2)).isEqualTo("=\"");
                i += 2;
                StringBuilder v = new StringBuilder();
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char e = line.charAt(i++);
                        v.append(e == 'n' ? '\n' : e);
                    } else {
                        v.append(c);
                    }
                }
                i++;
                assertThat(labels.put(label, v.toString())).as("duplicate label").isNull();
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        assertThat(line.charAt(i)).as("space before value in: " + line).isEqualTo(' ');
        String value = line.substring(i + 1);
        assertThat(value).as("one value, no timestamp").doesNotContain(" ");
        double d;
        switch (value) {
            case "+Inf":
                d = Double.POSITIVE_INFINITY;
                break;
            case "-Inf":
                d = Double.NEGATIVE_INFINITY;
                break;
            case "NaN":
                d = Double.NaN;
                break;
            default:
                d = Double.parseDouble(value);
        }
        return new Sample(name, labels, d);
    }

    Family family(String name) {
        Family f = families.get(name);
        assertThat(f).as("family " + name + " in " + families.keySet()).isNotNull();
        return f;
    }

    /** A sample by its own name (a histogram's {@code _bucket}, {@code _sum} or {@code _count} too) and labels. */
    Optional<Sample> find(String name, Map<String, String> labels) {
        Family f = families.get(name);
        if (f == null) {
            f = families.get(name.replaceFirst("_(bucket|sum|count)$", ""));
        }
        if (f == null) {
            return Optional.empty();
        }
        return f.samples().stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).findFirst();
    }

    double value(String name, Map<String, String> labels) {
        return find(name, labels).orElseThrow(() -> new AssertionError("no " + name + labels + " in "
                + (families.containsKey(name) ? families.get(name).samples() : "nothing"))).value();
    }
}
