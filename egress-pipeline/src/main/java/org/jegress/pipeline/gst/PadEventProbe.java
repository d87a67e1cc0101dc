package org.jegress.pipeline.gst;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeType;

/**
 * A downstream-event probe that reads the native event type itself. gst1-java-core's event probes hand out Java
 * wrappers from a cache keyed by address, and event memory is recycled: a new EOS can come back as the stale wrapper
 * of an earlier event at the same address, so {@code instanceof EOSEvent} misses EOS at random. Only events pass
 * through here, never buffers. Holds its callback and pad for as long as it is installed.
 */
public final class PadEventProbe {

    /** Decides about one downstream event, given its {@code GstEventType} value. */
    @FunctionalInterface
    public interface EventDecision {
        /** @return true to let the event pass, false to drop it */
        boolean pass(int eventType);
    }

    private static final int PROBE_DROP = 0;
    private static final int PROBE_OK = 1;
    /** GstPadProbeInfo: type (4 bytes + padding), id (gulong), then data. */
    private static final long INFO_DATA_OFFSET = 2L * Native.POINTER_SIZE;
    /** GstEvent: a 64-byte GstMiniObject (64-bit builds), then the type. */
    private static final long EVENT_TYPE_OFFSET = 64;

    private final Pad pad;
    private final GstNatives.PadProbeCallback callback;
    private final NativeLong id;

    /** Installs the probe on {@code pad}. */
    public PadEventProbe(Pad pad, EventDecision decision) {
        if (Native.POINTER_SIZE != 8) {
            throw new IllegalStateException("64-bit GStreamer required");
        }
        this.pad = pad;
        this.callback = (p, info, data) -> {
            Pointer event = info.getPointer(INFO_DATA_OFFSET);
            if (event == null) {
                return PROBE_OK;
            }
            return decision.pass(event.getInt(EVENT_TYPE_OFFSET)) ? PROBE_OK : PROBE_DROP;
        };
        this.id = GstNatives.addProbe(pad, PadProbeType.EVENT_DOWNSTREAM.intValue(), callback);
    }

    public void remove() {
        GstNatives.removeProbe(pad, id);
    }
}
