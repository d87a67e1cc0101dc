package org.jegress.pipeline.gst;

import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.event.EventType;

/**
 * Completes when EOS passes a pad, typically a file sink's sink pad. An output is finalised when EOS reaches its
 * sink; watching the sinks (rather than waiting for the pipeline's EOS message) also works for pipelines holding a
 * webrtcbin, which never post one.
 */
public final class EosWatch implements AutoCloseable {

    private static final int EOS = EventType.EOS.intValue();

    private final CompletableFuture<Void> eos = new CompletableFuture<>();
    private final PadEventProbe probe;

    private EosWatch(Pad pad) {
        probe = new PadEventProbe(pad, type -> {
            if (type == EOS) {
                eos.complete(null);
            }
            return true;
        });
    }

    /** Starts watching {@code pad}; keep the returned object referenced while you need it. */
    public static EosWatch on(Pad pad) {
        return new EosWatch(pad);
    }

    /** Completes (on a streaming thread) when EOS reached the pad. */
    public CompletableFuture<Void> eos() {
        return eos;
    }

    @Override
    public void close() {
        probe.remove();
    }
}
