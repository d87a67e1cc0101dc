package org.jegress.pipeline.gst;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.jegress.api.error.EgressException;

/**
 * One branch's link to a tee, made and unmade while the pipeline plays. Linking a new request pad needs no care (no
 * data flows on it yet); unlinking waits for the pad to be idle (a {@code GST_PAD_PROBE_TYPE_IDLE} probe, which runs
 * between two buffers, or at once when none is being pushed), so a buffer is never cut in half and the tee never
 * pushes into a pad that is going away. The request pad is released afterwards, off the streaming thread.
 */
public final class TeeLink {

    private final Element tee;
    private final Pad teePad;
    private final Pad sinkPad;
    private final CompletableFuture<Void> unlinked = new CompletableFuture<>();
    /** Held while installed: JNA must not collect a callback native code may still call. */
    private Pad.PROBE idle;
    private CompletableFuture<Void> released;

    private TeeLink(Element tee, Pad teePad, Pad sinkPad) {
        this.tee = tee;
        this.teePad = teePad;
        this.sinkPad = sinkPad;
    }

    /** Requests a src pad of {@code tee} and links it to {@code sinkPad}. */
    public static TeeLink link(Element tee, Pad sinkPad) {
        Pad src = tee.getRequestPad("src_%u");
        try {
            src.link(sinkPad);
        } catch (PadLinkException e) {
            tee.releaseRequestPad(src);
            throw EgressException.internal("failed to link " + tee.getName() + " to " + sinkPad.getName() + ": "
                    + e.getLinkResult(), e);
        }
        return new TeeLink(tee, src, sinkPad);
    }

    public Pad teePad() {
        return teePad;
    }

    public Pad sinkPad() {
        return sinkPad;
    }

    /**
     * Unlinks once the tee's pad is idle and releases it; completes when done. Call from a thread that is not a
     * streaming thread of this tee. Idempotent.
     *
     * @param timeoutMs how long to wait for the pad to become idle (a stalled branch may block it) before
     *        unlinking regardless
     * @param control where the pad is released (never the streaming thread the probe runs on)
     */
    public synchronized CompletableFuture<Void> unlink(long timeoutMs, java.util.concurrent.Executor control) {
        if (released != null) {
            return released;
        }
        idle = (pad, info) -> {
            pad.unlink(sinkPad);
            unlinked.complete(null);
            return PadProbeReturn.REMOVE;
        };
        teePad.addProbe(PadProbeType.IDLE, idle);
        released = unlinked.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).handleAsync((v, e) -> {
            if (e != null && teePad.isLinked()) {
                teePad.unlink(sinkPad);
            }
            tee.releaseRequestPad(teePad);
            return null;
        }, control);
        return released;
    }
}
