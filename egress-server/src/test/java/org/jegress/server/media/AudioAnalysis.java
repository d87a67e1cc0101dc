package org.jegress.server.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Decodes a file's audio with ffmpeg and measures it: how loud (RMS) and at which frequency the dominant tone
 * sits, per channel. Frequency is estimated from zero crossings, which is exact enough for a pure sine.
 */
public final class AudioAnalysis {

    private static final int RATE = 48_000;

    /** Loudness and pitch of one channel. */
    public record Channel(double rms, double frequency) {
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
            return new Channel(0, 0);
        }
        double sum = 0;
        int crossings = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (double) x[i] * x[i];
            if (i > 0 && (x[i - 1] < 0) != (x[i] < 0)) {
                crossings++;
            }
        }
        double seconds = x.length / (double) RATE;
        return new Channel(Math.sqrt(sum / x.length), crossings / 2.0 / seconds);
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
