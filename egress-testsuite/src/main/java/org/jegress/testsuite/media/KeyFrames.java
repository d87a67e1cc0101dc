package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The times of a recording's video key frames, as ffprobe reads its packets. */
public final class KeyFrames {

    private KeyFrames() {
    }

    /** Presentation times (seconds) of the key frames of the first video stream. */
    public static List<Double> of(Path file) throws IOException, InterruptedException {
        String out = Tools.run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "packet=pts_time,flags", "-of", "csv=p=0", file.toString()));
        List<Double> times = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(",");
            if (f.length >= 2 && f[1].startsWith("K") && !f[0].equals("N/A")) {
                times.add(Double.parseDouble(f[0]));
            }
        }
        return times;
    }

    /** Gaps between consecutive key frames. */
    public static List<Double> intervals(List<Double> times) {
        List<Double> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        return gaps;
    }
}
