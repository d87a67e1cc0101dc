package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One decoded video frame, scaled down to a small grid of RGB pixels, and what it shows: how much of it is each of a
 * few known colours (solid test cameras, the layout's background) and where.
 */
public final class Frames {

    /** A named colour to look for. */
    public record Colour(String name, int r, int g, int b) {
        double distance(int[] p) {
            double dr = p[0] - r;
            double dg = p[1] - g;
            double db = p[2] - b;
            return Math.sqrt(dr * dr + dg * dg + db * db);
        }
    }

    /** Share of the frame (0..1) and centroid (in 0..1 frame coordinates) of one colour. */
    public record Region(double share, double cx, double cy) {
    }

    public static final Colour BLACK = new Colour("black", 0, 0, 0);
    public static final Colour WHITE = new Colour("white", 255, 255, 255);

    private static final double MATCH = 90;

    private final int width;
    private final int height;
    private final int[][] pixels;

    private Frames(int width, int height, int[][] pixels) {
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /** The frame shown at {@code seconds} into the file, scaled to {@code width x height}. */
    public static Frames at(Path file, double seconds, int width, int height) throws IOException, InterruptedException {
        byte[] raw = Tools.runBytes(List.of("ffmpeg", "-v", "error", "-ss", String.format("%.3f", seconds), "-i",
                file.toString(), "-frames:v", "1", "-vf", "scale=" + width + ":" + height + ":flags=area",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-"));
        if (raw.length < width * height * 3) {
            throw new IOException("no frame at " + seconds + " s in " + file);
        }
        int[][] px = new int[width * height][];
        for (int i = 0; i < px.length; i++) {
            px[i] = new int[] {raw[3 * i] & 0xff, raw[3 * i + 1] & 0xff, raw[3 * i + 2] & 0xff};
        }
        return new Frames(width, height, px);
    }

    /** Where each colour is: every pixel counts for the nearest of them within a fixed distance, or for none. */
    public Map<String, Region> regions(List<Colour> palette) {
        double[] n = new double[palette.size()];
        double[] sx = new double[palette.size()];
        double[] sy = new double[palette.size()];
        for (int i = 0; i < pixels.length; i++) {
            int best = -1;
            double bestD = MATCH;
            for (int c = 0; c < palette.size(); c++) {
                double d = palette.get(c).distance(pixels[i]);
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            if (best >= 0) {
                n[best]++;
                sx[best] += (i % width + 0.5) / width;
                sy[best] += (i / width + 0.5) / height;
            }
        }
        Map<String, Region> out = new LinkedHashMap<>();
        for (int c = 0; c < palette.size(); c++) {
            out.put(palette.get(c).name(), n[c] == 0 ? new Region(0, 0, 0)
                    : new Region(n[c] / pixels.length, sx[c] / n[c], sy[c] / n[c]));
        }
        return out;
    }
}
