package org.jegress.pipeline.gst;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.glib.Natives;

/**
 * Renders a running bin as a Graphviz DOT document ({@code gst_debug_bin_to_dot_data}), which gst1-java-core
 * only exposes as "write a file into GST_DEBUG_DUMP_DOT_DIR".
 */
public final class PipelineGraph {

    /** The two native functions we need, bound directly so we never touch gst1-java-core's private mappings. */
    private interface GstDebugApi extends Library {
        Pointer gst_debug_bin_to_dot_data(Pointer bin, int details);

        void g_free(Pointer mem);
    }

    /** GST_DEBUG_GRAPH_SHOW_ALL. */
    private static final int SHOW_ALL = (1 << 4) - 1;
    private static final int SHOW_VERBOSE = 0xffffffff;

    private static volatile GstDebugApi api;

    private PipelineGraph() {
    }

    /**
     * @param bin the pipeline or bin to render
     * @param verbose include full caps and every property, not just the non-default ones
     */
    public static String dot(Bin bin, boolean verbose) {
        GstDebugApi gst = api();
        Pointer data = gst.gst_debug_bin_to_dot_data(Natives.getRawPointer(bin), verbose ? SHOW_VERBOSE : SHOW_ALL);
        if (data == null) {
            return "";
        }
        try {
            return data.getString(0, "UTF-8");
        } finally {
            gst.g_free(data);
        }
    }

    private static GstDebugApi api() {
        GstDebugApi a = api;
        if (a == null) {
            synchronized (PipelineGraph.class) {
                if (api == null) {
                    api = Native.load("gstreamer-1.0", GstDebugApi.class);
                }
                a = api;
            }
        }
        return a;
    }
}
