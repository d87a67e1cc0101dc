package org.jegress.pipeline.gst;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.ClockTime;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;

/**
 * Shifts a stream's running time so that its first buffer is at zero ({@code gst_pad_set_offset}), for a muxer
 * that writes what it receives as is: a track joining a pipeline that has been running for a while would otherwise
 * start its file at that pipeline's age. One probe reads the first buffer's timestamp and removes itself; the
 * callback is held here for as long as the pad may call it.
 */
public final class ZeroBasedTime {

    private final Pad pad;
    private final Pad.PROBE firstBuffer;
    private volatile long offset;

    private ZeroBasedTime(Pad pad) {
        this.pad = pad;
        this.firstBuffer = (p, info) -> {
            Buffer b = info.getBuffer();
            long ts = b == null ? ClockTime.NONE : b.getPresentationTimestamp();
            if (ts == ClockTime.NONE && b != null) {
                ts = b.getDecodeTimestamp();
            }
            if (ts != ClockTime.NONE && ts > 0) {
                offset = -ts;
                GstNatives.setOffset(p, -ts);
            }
            return PadProbeReturn.REMOVE;
        };
        pad.addProbe(PadProbeType.BUFFER, firstBuffer);
    }

    /** Starts the stream leaving {@code srcPad} at running time zero. Keep the result referenced. */
    public static ZeroBasedTime on(Pad srcPad) {
        return new ZeroBasedTime(srcPad);
    }

    /** The offset applied, in nanoseconds (0 until the first buffer passed). */
    public long offset() {
        return offset;
    }

    /** The pad whose stream is shifted. */
    public Pad pad() {
        return pad;
    }
}
