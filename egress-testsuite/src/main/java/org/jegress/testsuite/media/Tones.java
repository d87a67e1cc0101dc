package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How loud given sine tones are in a recording's (mono-mixed) audio: the Goertzel amplitude at each frequency. */
public final class Tones {

    private static final int RATE = 16000;

    private Tones() {
    }

    /**
     * Amplitude (0..1 of full scale) of each frequency over the audio from {@code skipSeconds} on, mixed to mono.
     */
    public static Map<Double, Double> amplitudes(Path file, double skipSeconds, double... hz)
            throws IOException, InterruptedException {
        byte[] pcm = Tools.runBytes(List.of("ffmpeg", "-v", "error", "-ss", Double.toString(skipSeconds), "-i",
                file.toString(), "-map", "0:a:0", "-ac", "1", "-ar", Integer.toString(RATE), "-f", "s16le", "-"));
        ShortBuffer s = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        double[] x = new double[s.remaining()];
        for (int i = 0; i < x.length; i++) {
            x[i] = s.get(i) / 32768.0;
        }
        Map<Double, Double> out = new LinkedHashMap<>();
        for (double f : hz) {
            out.put(f, goertzel(x, f));
        }
        return out;
    }

    private static double goertzel(double[] x, double hz) {
        if (x.length == 0) {
            return 0;
        }
        double w = 2 * Math.PI * hz / RATE;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (double v : x) {
            double s0 = v + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return 2 * Math.sqrt(Math.max(power, 0)) / x.length;
    }
}
