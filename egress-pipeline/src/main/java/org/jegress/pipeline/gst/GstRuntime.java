package org.jegress.pipeline.gst;

import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Initialises GStreamer once per process; every class that builds elements calls {@link #ensureInitialized()} first. */
public final class GstRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(GstRuntime.class);

    private GstRuntime() {
    }

    /**
     * Initialises GStreamer if nobody did yet. Requests the 1.16 API level: everything egress uses exists there,
     * and the Debian bookworm runtime is 1.22.
     */
    public static synchronized void ensureInitialized() {
        if (Gst.isInitialized()) {
            return;
        }
        long t0 = System.nanoTime();
        Gst.init(Version.of(1, 16), "jegress");
        LOG.info("GStreamer {} initialised in {} ms", Gst.getVersionString(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Runtime version string, e.g. "GStreamer 1.22.0". */
    public static String version() {
        ensureInitialized();
        return Gst.getVersionString();
    }
}
