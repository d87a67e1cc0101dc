package org.jegress.pipeline.gst;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.Structure;
import org.jegress.pipeline.spi.VideoTile;

/**
 * The tiles of a layout drawn by the compositor: pads whose position and size the source sets while media flows.
 *
 * <p>Changes are not made on the caller's thread: the compositor reads a pad's geometry and alpha while it prepares
 * and again while it blends a frame, so a change landing in between would draw one frame half-changed. They are queued
 * and applied by the compositor's own thread from its {@code samples-selected} signal, between two output frames, as
 * GstAggregator documents for changes that must line up with the samples (one callback per output frame, no media).
 * The callback is held here for the compositor's lifetime (JNA must not collect it).
 */
final class CompositorTiles {

    /** GstCompositorPad's {@code sizing-policy} keep-aspect-ratio: scale into the pad's box, centred, aspect kept. */
    private static final int KEEP_ASPECT_RATIO = 1;
    /** Bilinear scaling: a third of the default (cubic) cost; tiles are scaled by small factors. */
    private static final String SCALING = "GstVideoConverter, "
            + "GstVideoConverter.resampler-method=(GstVideoResamplerMethod)linear, "
            + "GstVideoConverter.chroma-resampler-method=(GstVideoResamplerMethod)linear";

    /** GstAggregator's {@code samples-selected}: (self, segment, pts, dts, duration, info, user data). */
    public interface SamplesSelected extends Callback {
        void callback(Pointer aggregator, Pointer segment, long pts, long dts, long duration, Pointer info,
                Pointer userData);
    }

    private final Element compositor;
    private final Queue<Runnable> changes = new ConcurrentLinkedQueue<>();
    private final SamplesSelected onSamples = (agg, segment, pts, dts, duration, info, user) -> applyChanges();
    private boolean connected;

    CompositorTiles(Element compositor) {
        this.compositor = compositor;
    }

    /**
     * A new hidden tile pad; its input must have a {@code videoconvert} already created (it registers the resampler
     * enum the scaling config names).
     */
    synchronized Pad newPad(long repeatNs) {
        if (!connected) {
            compositor.connect("samples-selected", SamplesSelected.class, onSamples, onSamples);
            compositor.set("emit-signals", true);
            connected = true;
        }
        Pad pad = compositor.getRequestPad("sink_%u");
        pad.set("zorder", 1);
        pad.set("max-last-buffer-repeat", repeatNs);
        pad.set("sizing-policy", KEEP_ASPECT_RATIO);
        pad.set("alpha", 0.0);
        return pad;
    }

    /** Sets the scaling of a pad whose input exists (see {@link #newPad}). */
    void configureScaling(Pad pad) {
        pad.set("converter-config", Structure.fromString(SCALING));
    }

    /** The tile of a pad, whose changes reach the compositor between frames. */
    VideoTile tile(Pad pad, Pad input) {
        return new VideoTile() {
            @Override
            public Pad input() {
                return input;
            }

            @Override
            public void place(int x, int y, int width, int height) {
                change(() -> {
                    pad.set("xpos", x);
                    pad.set("ypos", y);
                    pad.set("width", width);
                    pad.set("height", height);
                    pad.set("alpha", 1.0);
                });
            }

            @Override
            public void hide() {
                change(() -> pad.set("alpha", 0.0));
            }
        };
    }

    /** Any change to the compositor or its pads, made between two output frames. */
    void change(Runnable r) {
        changes.add(r);
    }

    /** On the compositor's thread, before it prepares the next output frame. */
    private void applyChanges() {
        Runnable r;
        while ((r = changes.poll()) != null) {
            r.run();
        }
    }
}
