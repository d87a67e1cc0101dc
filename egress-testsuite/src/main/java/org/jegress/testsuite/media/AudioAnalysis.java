package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Decodes a file's audio with ffmpeg and measures it: how loud (RMS) and at which frequency the dominant tone
 * sits, per channel. Frequency is the median over 100 ms blocks of a zero-crossing count, which is exact enough
 * for a pure sine and not thrown off by an occasional click; {@link #steadyFraction} says how many blocks carry
 * the tone cleanly.
 */
public final class AudioAnalysis {

    private static final int RATE = 48_000;
    /** RMS below which a 100 ms block counts as silence (a full-scale tone is ~23000, ours ~6500). */
    static final double SILENCE = 300;

    /**
     * Loudness and pitch of one channel.
     *
     * @param rms root mean square of the samples
     * @param frequency median tone frequency over 100 ms blocks
     * @param blockFrequencies the frequency of every block, in order
     */
    public record Channel(double rms, double frequency, double[] blockFrequencies, double[] blockRms) {

        /** Share of the audible blocks whose frequency is within 5 % of {@code hz}. */
        public double steadyFraction(double hz) {
            long audible = 0;
            long ok = 0;
            for (int i = 0; i < blockFrequencies.length; i++) {
                if (blockRms[i] > SILENCE) {
                    audible++;
                    if (Math.abs(blockFrequencies[i] - hz) <= hz * 0.05) {
                        ok++;
                    }
                }
            }
            return audible == 0 ? 0 : ok / (double) audible;
        }

        /** Seconds of silence before the first audible block. */
        public double leadingSilence() {
            for (int i = 0; i < blockRms.length; i++) {
                if (blockRms[i] > SILENCE) {
                    return i * 0.1;
                }
            }
            return blockRms.length * 0.1;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "rms=%.0f f=%.1fHz blocks=%d", rms, frequency,
                    blockFrequencies.length);
        }
    }

    private final Channel left;
    private final Channel right;
    private final double seconds;

    private AudioAnalysis(Channel left, Channel right, double seconds) {
        this.left = left;
        this.right = right;
        this.seconds = seconds;
    }

    /** Analyses the first audio stream, skipping the first {@code skipSeconds} (page start-up). */
    public static AudioAnalysis of(Path file, double skipSeconds) throws IOException, InterruptedException {
        byte[] pcm = Tools.runBytes(List.of("ffmpeg", "-v", "error", "-ss", Double.toString(skipSeconds), "-i",
                file.toString(), "-map", "0:a:0", "-ac", "2", "-ar", Integer.toString(RATE), "-f", "s16le", "-"));
        ShortBuffer s = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        int frames = s.remaining() / 2;
        short[] l = new short[frames];
        short[] r = new short[frames];
        for (int i = 0; i < frames; i++) {
            l[i] = s.get(2 * i);
            r[i] = s.get(2 * i + 1);
        }
        return new AudioAnalysis(measure(l), measure(r), frames / (double) RATE);
    }

    private static Channel measure(short[] x) {
        if (x.length == 0) {
            return new Channel(0, 0, new double[0], new double[0]);
        }
        double sum = 0;
        for (short v : x) {
            sum += (double) v * v;
        }
        int block = RATE / 10;
        double[] freqs = new double[x.length / block];
        double[] rms = new double[freqs.length];
        for (int b = 0; b < freqs.length; b++) {
            int crossings = 0;
            double energy = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                energy += (double) x[i] * x[i];
                if (i > b * block && (x[i - 1] < 0) != (x[i] < 0)) {
                    crossings++;
                }
            }
            freqs[b] = crossings / 2.0 / 0.1;
            rms[b] = Math.sqrt(energy / block);
        }
        double[] audible = java.util.stream.IntStream.range(0, freqs.length).filter(i -> rms[i] > SILENCE)
                .mapToDouble(i -> freqs[i]).sorted().toArray();
        double median = audible.length == 0 ? 0 : audible[audible.length / 2];
        return new Channel(Math.sqrt(sum / x.length), median, freqs, rms);
    }

    public Channel left() {
        return left;
    }

    public Channel right() {
        return right;
    }

    public double seconds() {
        return seconds;
    }

    @Override
    public String toString() {
        return "L=" + left + " R=" + right + " over " + seconds + " s";
    }
}
