package org.jegress.sources.room.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Judges recordings by decoding them with ffprobe/ffmpeg, never by "the file exists". */
public final class MediaFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MediaFiles() {
    }

    /** What ffprobe says about the first stream and the container. */
    public record Probe(String formatName, double durationSeconds, double startSeconds, String codecName,
            String codecType, int width, int height, int sampleRate, int channels, JsonNode raw) {

        /**
         * Length of the media: end minus start. A recording of a live source starts at the running time of its
         * first buffer, which OGG keeps (ffprobe's OGG "duration" is then the end time, not the length).
         */
        public double contentSeconds() {
            return formatName.equals("ogg") ? durationSeconds - startSeconds : durationSeconds;
        }
    }

    public static Probe probe(Path file) throws IOException, InterruptedException {
        String out = run(List.of("ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json",
                file.toString()));
        JsonNode root = JSON.readTree(out);
        JsonNode s = root.path("streams").path(0);
        JsonNode f = root.path("format");
        double dur = f.path("duration").asDouble(s.path("duration").asDouble(0));
        return new Probe(f.path("format_name").asText(), dur, f.path("start_time").asDouble(0),
                s.path("codec_name").asText(),
                s.path("codec_type").asText(), s.path("width").asInt(), s.path("height").asInt(),
                s.path("sample_rate").asInt(), s.path("channels").asInt(), root);
    }

    /**
     * Duration by decoding every frame (container durations of files finalised on EOS are reliable, but this does
     * not depend on them): ffmpeg's reported time of the last decoded frame.
     */
    public static double decodedDuration(Path file) throws IOException, InterruptedException {
        String out = run(List.of("ffprobe", "-v", "error", "-select_streams", "0", "-show_entries",
                "packet=pts_time,duration_time", "-of", "csv=p=0", file.toString()));
        double first = Double.NaN;
        double last = 0;
        for (String line : out.split("\n")) {
            String[] p = line.trim().split(",");
            if (p.length == 0 || p[0].isEmpty() || p[0].equals("N/A")) {
                continue;
            }
            double pts = Double.parseDouble(p[0]);
            double d = p.length > 1 && !p[1].isEmpty() && !p[1].equals("N/A") ? Double.parseDouble(p[1]) : 0;
            if (Double.isNaN(first) || pts < first) {
                first = pts;
            }
            last = Math.max(last, pts + d);
        }
        return Double.isNaN(first) ? 0 : last - first;
    }

    /**
     * Sum of the packet durations of the first stream: the media actually recorded, which (unlike the timestamp
     * span) does not grow over a gap in the middle.
     */
    public static double packetSeconds(Path file) throws IOException, InterruptedException {
        String out = run(List.of("ffprobe", "-v", "error", "-select_streams", "0", "-show_entries",
                "packet=duration_time", "-of", "csv=p=0", file.toString()));
        double sum = 0;
        for (String line : out.split("\n")) {
            String t = line.trim().replace(",", "");
            if (!t.isEmpty() && !t.equals("N/A")) {
                sum += Double.parseDouble(t);
            }
        }
        return sum;
    }

    /** Decodes the audio to mono 16 kHz PCM and returns the dominant frequency (Hz) in the middle second. */
    public static double dominantFrequency(Path file) throws IOException, InterruptedException {
        int rate = 16000;
        byte[] pcm = runBytes(List.of("ffmpeg", "-v", "error", "-i", file.toString(), "-ac", "1", "-ar",
                String.valueOf(rate), "-f", "s16le", "-"));
        ByteBuffer bb = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        int n = pcm.length / 2;
        if (n < rate) {
            throw new IOException("less than a second of audio in " + file + " (" + n + " samples)");
        }
        int start = n / 2 - rate / 2;
        double[] x = new double[rate];
        for (int i = 0; i < rate; i++) {
            x[i] = bb.getShort((start + i) * 2);
        }
        double bestF = 0;
        double bestP = -1;
        for (int f = 50; f <= 4000; f++) {
            // Goertzel: the power of one DFT bin without trigonometry in the loop
            double coeff = 2 * Math.cos(2 * Math.PI * f / rate);
            double s1 = 0;
            double s2 = 0;
            for (double v : x) {
                double s0 = v + coeff * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            double p = s1 * s1 + s2 * s2 - coeff * s1 * s2;
            if (p > bestP) {
                bestP = p;
                bestF = f;
            }
        }
        return bestF;
    }

    /** RMS of the decoded audio (mono 16 kHz, full scale 32768), to tell a tone from silence. */
    public static double rms(Path file) throws IOException, InterruptedException {
        byte[] pcm = runBytes(List.of("ffmpeg", "-v", "error", "-i", file.toString(), "-ac", "1", "-ar", "16000",
                "-f", "s16le", "-"));
        ByteBuffer bb = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        int n = pcm.length / 2;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double v = bb.getShort(i * 2);
            sum += v * v;
        }
        return n == 0 ? 0 : Math.sqrt(sum / n);
    }

    /**
     * Decodes the video at 4 frames per second, each frame averaged to one pixel, and names the dominant primary of
     * each sample ("R", "G", "B" or "?"): the test publisher cycles red, green, blue once per second.
     */
    public static List<String> colourSequence(Path file) throws IOException, InterruptedException {
        byte[] rgb = runBytes(List.of("ffmpeg", "-v", "error", "-i", file.toString(), "-vf",
                "fps=4,scale=1:1:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"));
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 2 < rgb.length; i += 3) {
            int r = rgb[i] & 0xff;
            int g = rgb[i + 1] & 0xff;
            int b = rgb[i + 2] & 0xff;
            int max = Math.max(r, Math.max(g, b));
            String c = "?";
            if (max > 120) {
                if (r == max && g < 100 && b < 100) {
                    c = "R";
                } else if (g == max && r < 100 && b < 100) {
                    c = "G";
                } else if (b == max && r < 100 && g < 100) {
                    c = "B";
                }
            }
            out.add(c);
        }
        return out;
    }

    /** Number of decodable video frames (decoding errors would show as fewer frames). */
    public static int decodedFrames(Path file) throws IOException, InterruptedException {
        String out = run(List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file.toString()));
        return Integer.parseInt(out.trim().split("[,\\s]")[0]);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        return new String(runBytes(cmd), StandardCharsets.UTF_8);
    }

    private static byte[] runBytes(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try (InputStream e = p.getErrorStream()) {
                e.transferTo(err);
            } catch (IOException ignored) {
                // ignore
            }
        });
        drain.start();
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + " timed out");
        }
        drain.join(1000);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + err);
        }
        return out;
    }
}
