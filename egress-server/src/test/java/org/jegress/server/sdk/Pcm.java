package org.jegress.server.sdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/** Measurements on raw S16LE 48 kHz stereo PCM, as a WebSocket receiver gets it. */
final class Pcm {

    private static final int RATE = 48_000;

    private Pcm() {
    }

    private static short[] channel(byte[] pcm, int ch, double from, double to) {
        ShortBuffer s = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        int frames = s.remaining() / 2;
        int a = Math.min(frames, (int) (from * RATE));
        int b = Math.min(frames, (int) (to * RATE));
        short[] out = new short[Math.max(0, b - a)];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(2 * (a + i) + ch);
        }
        return out;
    }

    /** Zero-crossing frequency of each channel between {@code from} and {@code to} seconds. */
    static double[] tone(byte[] pcm, double from, double to) {
        double[] f = new double[2];
        for (int ch = 0; ch < 2; ch++) {
            short[] x = channel(pcm, ch, from, to);
            int crossings = 0;
            for (int i = 1; i < x.length; i++) {
                if ((x[i - 1] < 0) != (x[i] < 0)) {
                    crossings++;
                }
            }
            f[ch] = x.length == 0 ? 0 : crossings / 2.0 / (x.length / (double) RATE);
        }
        return f;
    }

    /** RMS of both channels between {@code from} and {@code to} seconds. */
    static double rms(byte[] pcm, double from, double to) {
        double sum = 0;
        long n = 0;
        for (int ch = 0; ch < 2; ch++) {
            for (short v : channel(pcm, ch, from, to)) {
                sum += (double) v * v;
                n++;
            }
        }
        return n == 0 ? 0 : Math.sqrt(sum / n);
    }
}
