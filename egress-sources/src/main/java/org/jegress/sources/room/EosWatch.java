package org.jegress.sources.room;

import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.event.EventType;

/**
 * Completes when EOS passes a pad, typically your filesink's sink pad: a pipeline holding webrtcbin never posts a
 * pipeline-level EOS message (webrtcbin's internal network sinks never get one), so "the file is finalised" has to be
 * observed at the sink. The probe reads the event type natively and only ever sees events, never buffers.
 *
 * <p>Use this rather than gst1-java-core's {@code Pad.addEventProbe} with {@code instanceof EOSEvent}: its event
 * wrappers are cached by address and event memory is recycled, so an EOS can arrive wrapped as a stale object of
 * another event type and be missed.
 */
public final class EosWatch implements AutoCloseable {

    private static final int EOS = EventType.EOS.intValue();

    private final CompletableFuture<Void> eos = new CompletableFuture<>();
    private final GstNatives.EventProbe probe;

    private EosWatch(Pad pad) {
        probe = new GstNatives.EventProbe(pad, type -> {
            if (type == EOS) {
                eos.complete(null);
            }
            return true;
        });
    }

    /** Starts watching {@code pad}; keep the returned object referenced until you no longer need it. */
    public static EosWatch on(Pad pad) {
        return new EosWatch(pad);
    }

    /** Completes (on a streaming thread) when EOS reached the pad. */
    public CompletableFuture<Void> eos() {
        return eos;
    }

    /** Removes the probe. */
    @Override
    public void close() {
        probe.remove();
    }
}
