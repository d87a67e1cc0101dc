/**
 * The only place besides sources and sinks that touches GStreamer: runtime initialisation, pipeline assembly from
 * bin descriptions, DOT graphs. Never imports {@code org.freedesktop.gstreamer.lowlevel}.
 */
package org.jegress.pipeline.gst;
