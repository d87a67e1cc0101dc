package org.jegress.pipeline.gst;

import org.freedesktop.gstreamer.Bin;

/**
 * Renders a running bin as a Graphviz DOT document ({@code gst_debug_bin_to_dot_data}), which gst1-java-core
 * only exposes as "write a file into GST_DEBUG_DUMP_DOT_DIR".
 */
public final class PipelineGraph {

    /** GST_DEBUG_GRAPH_SHOW_ALL. */
    private static final int SHOW_ALL = (1 << 4) - 1;
    private static final int SHOW_VERBOSE = 0xffffffff;

    private PipelineGraph() {
    }

    /**
     * @param bin the pipeline or bin to render
     * @param verbose include full caps and every property, not just the non-default ones
     */
    public static String dot(Bin bin, boolean verbose) {
        return GstNatives.dot(bin, verbose ? SHOW_VERBOSE : SHOW_ALL);
    }
}
