package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;

/**
 * Sync marks in a recording, measured by decoding it with ffmpeg's filters: the average luma of every video frame
 * ({@code signalstats} YAVG) and the audio level of every 10 ms ({@code astats} RMS, dBFS), each at its presentation
 * time on the container's timeline. Rising edges of the luma (a white flash) and of the level (a beep) give the
 * instants to compare: the audio-video offset of a mark is beep time minus flash time.
 */
public final class AvMarks {

    /** One measurement: presentation time in seconds and value. */
    public record Sample(double t, double v) {
    }

    private final List<Sample> luma;
    private final List<Sample> level;

    private AvMarks(List<Sample> luma, List<Sample> level) {
        this.luma = luma;
        this.level = level;
    }

    public static AvMarks of(Path file) throws IOException, InterruptedException {
        return new AvMarks(samples("movie=" + file + ",signalstats", "lavfi.signalstats.YAVG"),
                samples("amovie=" + file + ",asetnsamples=n=480,astats=metadata=1:reset=1",
                        "lavfi.astats.Overall.RMS_level"));
    }

    private static List<Sample> samples(String graph, String tag) throws IOException, InterruptedException {
        String out = Tools.run(List.of("ffprobe", "-v", "error", "-f", "lavfi", "-i", graph, "-show_entries",
                "frame=pts_time:frame_tags=" + tag, "-of", "csv=p=0"));
        List<Sample> s = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(",");
            if (f.length < 2 || f[0].isEmpty() || f[1].isEmpty()) {
                continue;
            }
            double v = f[1].equals("-inf") ? -200 : Double.parseDouble(f[1]);
            s.add(new Sample(Double.parseDouble(f[0]), v));
        }
        return s;
    }

    public List<Sample> luma() {
        return luma;
    }

    public List<Sample> level() {
        return level;
    }

    /** Flash onsets: frames whose luma rises above {@code threshold}. */
    public List<Double> flashes(double threshold) {
        return risingEdges(luma, threshold);
    }

    /**
     * When the track's sound begins: the first 10 ms block above {@code thresholdDb}, or NaN. Marks within the first
     * second or two after it precede the first RTCP sender report, before which a receiver can only align audio and
     * video by their arrival; they show the start, not the sync.
     */
    public double soundStart(double thresholdDb) {
        return level.stream().filter(x -> x.v() > thresholdDb).mapToDouble(Sample::t).findFirst().orElse(Double.NaN);
    }

    /** Beep onsets: 10 ms blocks whose level rises above {@code thresholdDb}. */
    public List<Double> beeps(double thresholdDb) {
        return risingEdges(level, thresholdDb);
    }

    private static List<Double> risingEdges(List<Sample> s, double threshold) {
        List<Double> edges = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < s.size(); i++) {
            if (s.get(i - 1).v() < threshold && s.get(i).v() >= threshold && s.get(i).t() - last > 0.5) {
                edges.add(s.get(i).t());
                last = s.get(i).t();
            }
        }
        return edges;
    }

    /** For every flash, the nearest beep within 0.5 s: beep − flash, in seconds. */
    public static List<Double> offsets(List<Double> flashes, List<Double> beeps) {
        List<Double> out = new ArrayList<>();
        for (double f : flashes) {
            double best = Double.NaN;
            for (double b : beeps) {
                if (Math.abs(b - f) < 0.5 && (Double.isNaN(best) || Math.abs(b - f) < Math.abs(best))) {
                    best = b - f;
                }
            }
            if (!Double.isNaN(best)) {
                out.add(best);
            }
        }
        return out;
    }

    /** Share of the video frames between {@code from} and {@code to} whose luma satisfies {@code test}. */
    public double lumaShare(double from, double to, DoublePredicate test) {
        return share(luma, from, to, test);
    }

    /** Share of the 10 ms audio blocks between {@code from} and {@code to} whose level satisfies {@code test}. */
    public double levelShare(double from, double to, DoublePredicate test) {
        return share(level, from, to, test);
    }

    private static double share(List<Sample> s, double from, double to, DoublePredicate test) {
        long n = 0;
        long ok = 0;
        for (Sample x : s) {
            if (x.t() >= from && x.t() < to) {
                n++;
                if (test.test(x.v())) {
                    ok++;
                }
            }
        }
        return n == 0 ? Double.NaN : ok / (double) n;
    }
}
