package org.jegress.pipeline.gst;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import org.freedesktop.gstreamer.Promise;
import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.event.Event;
import org.freedesktop.gstreamer.event.EventType;
import org.freedesktop.gstreamer.glib.GObject;
import org.freedesktop.gstreamer.glib.Natives;

/**
 * Every native call this project makes beyond gst1-java-core, in one place, bound directly instead of reaching into
 * gst1-java-core's private {@code lowlevel} package: pad probes that read events natively, pad offsets, DOT
 * rendering, custom events, a few GObject property and signal calls gst1-java-core cannot express, and the JNA
 * callback shapes for GObject signals whose arguments it has no wrapper for. Callbacks receive raw pointers and must
 * only hand work to a Java executor; whoever connects one keeps it in a field for as long as it can fire.
 */
public final class GstNatives {

    private interface GstApi extends Library {
        Pointer gst_event_new_custom(int type, Pointer structure);

        Pointer gst_promise_get_reply(Pointer promise);

        NativeLong gst_pad_add_probe(Pointer pad, int mask, PadProbeCallback callback, Pointer data, Pointer destroy);

        void gst_pad_remove_probe(Pointer pad, NativeLong id);

        void gst_pad_set_offset(Pointer pad, long offset);

        Pointer gst_pad_get_sticky_event(Pointer pad, int type, int idx);

        void gst_event_parse_segment(Pointer event, PointerByReference segment);

        long gst_segment_to_running_time(Pointer segment, int format, long position);

        void gst_mini_object_unref(Pointer object);

        Pointer gst_debug_bin_to_dot_data(Pointer bin, int details);

        int gst_element_get_state(Pointer element, com.sun.jna.ptr.IntByReference state,
                com.sun.jna.ptr.IntByReference pending, long timeout);

        Pointer gst_structure_get_value(Pointer structure, String field);

        void g_free(Pointer mem);
    }

    /** {@code GstPadProbeReturn (*)(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)}. */
    public interface PadProbeCallback extends Callback {
        int callback(Pointer pad, Pointer info, Pointer userData);
    }

    /** {@code void (*)(GObject *self, GParamSpec *pspec, gpointer user_data)}: "notify::…" signals. */
    public interface NotifyCallback extends Callback {
        void callback(Pointer self, Pointer pspec, Pointer userData);
    }

    /** {@code void (*)(GstElement *self, GObject *object, gpointer user_data)}: on-new-transceiver, on-data-channel. */
    public interface ObjectCallback extends Callback {
        void callback(Pointer self, Pointer object, Pointer userData);
    }

    /** {@code void (*)(GstElement *rtpbin, GstElement *jitterbuffer, guint session, guint ssrc, gpointer data)}. */
    public interface NewJitterBufferCallback extends Callback {
        void callback(Pointer rtpbin, Pointer jitterbuffer, int session, int ssrc, Pointer userData);
    }

    /** {@code void (*)(GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer user_data)}: fakesink handoff. */
    public interface HandoffCallback extends Callback {
        void callback(Pointer sink, Pointer buffer, Pointer pad, Pointer userData);
    }

    /** Only g_object_get with one property and its NULL terminator (varargs are spelled out for JNA). */
    private interface GObjectApi extends Library {
        void g_object_get(Pointer object, String property, PointerByReference value, Pointer terminator);

        void g_object_unref(Pointer object);

        void g_free(Pointer mem);

        Pointer g_value_get_boxed(Pointer value);

        /** {@code g_signal_emit_by_name(instance, name, guint arg, gpointer *result)} for action signals. */
        void g_signal_emit_by_name(Pointer instance, String signal, int arg, PointerByReference result);

        /** {@code g_object_set(object, name, guint64 value, NULL)}. */
        void g_object_set(Pointer object, String property, long value, Pointer terminator);

        /** {@code g_object_set(object, name, gboolean/gint value, NULL)}. */
        void g_object_set(Pointer object, String property, int value, Pointer terminator);
    }

    private static volatile GstApi api;
    private static volatile GObjectApi gobject;

    private GstNatives() {
    }

    private static GstApi api() {
        GstApi a = api;
        if (a == null) {
            synchronized (GstNatives.class) {
                if (api == null) {
                    api = Native.load("gstreamer-1.0", GstApi.class);
                }
                a = api;
            }
        }
        return a;
    }

    private static GObjectApi gobject() {
        GObjectApi a = gobject;
        if (a == null) {
            synchronized (GstNatives.class) {
                if (gobject == null) {
                    gobject = Native.load("gobject-2.0", GObjectApi.class);
                }
                a = gobject;
            }
        }
        return a;
    }

    /**
     * Sets a guint64 property of the internal {@code RTPSession} of an rtpbin session (the object
     * {@code get-internal-session} returns, which gst1-java-core cannot wrap).
     *
     * @return false if the session does not exist yet
     */
    public static boolean setSessionUint64(Element rtpbin, int sessionId, String property, long value) {
        GObjectApi g = gobject();
        PointerByReference session = new PointerByReference();
        g.g_signal_emit_by_name(Natives.getRawPointer(rtpbin), "get-internal-session", sessionId, session);
        Pointer s = session.getValue();
        if (s == null) {
            return false;
        }
        try {
            g.g_object_set(s, property, value, null);
            return true;
        } finally {
            g.g_object_unref(s);
        }
    }

    /** Sets a gboolean property of an object given by its pointer. */
    public static void setBoolean(Pointer object, String property, boolean value) {
        gobject().g_object_set(object, property, value ? 1 : 0, null);
    }

    /**
     * Turns off UPnP port mapping in webrtcbin's libnice agent (on by default there): a recorder never needs a
     * router to open ports for it, and every agent would otherwise start an SSDP search and an HTTP server of its own
     * on each interface.
     *
     * @return false if the ICE implementation is not libnice
     */
    public static boolean disableUpnp(Element webrtcbin) {
        GObjectApi g = gobject();
        PointerByReference ice = new PointerByReference();
        g.g_object_get(Natives.getRawPointer(webrtcbin), "ice-agent", ice, null);
        Pointer i = ice.getValue();
        if (i == null) {
            return false;
        }
        try {
            PointerByReference agent = new PointerByReference();
            g.g_object_get(i, "agent", agent, null);
            Pointer a = agent.getValue();
            if (a == null) {
                return false;
            }
            try {
                g.g_object_set(a, "upnp", 0, null);
                return true;
            } finally {
                g.g_object_unref(a);
            }
        } finally {
            g.g_object_unref(i);
        }
    }

    /**
     * A string property of an object-valued property, e.g. the "mid" of a webrtcbin pad's "transceiver", read
     * natively: gst1-java-core cannot wrap a {@code GstWebRTCRTPTransceiver} (its registry falls back to the
     * abstract GObject class and fails with InstantiationException).
     *
     * @return the string, or null if either property is unset
     */
    public static String stringOfObjectProperty(GObject owner, String objectProperty, String stringProperty) {
        GObjectApi g = gobject();
        PointerByReference obj = new PointerByReference();
        g.g_object_get(Natives.getRawPointer(owner), objectProperty, obj, null);
        Pointer o = obj.getValue();
        if (o == null) {
            return null;
        }
        try {
            return stringProperty(o, stringProperty);
        } finally {
            g.g_object_unref(o);
        }
    }

    /** A string property of an object, read natively (null when unset). */
    public static String stringProperty(GObject owner, String property) {
        return stringProperty(Natives.getRawPointer(owner), property);
    }

    private static String stringProperty(Pointer object, String property) {
        GObjectApi g = gobject();
        PointerByReference str = new PointerByReference();
        g.g_object_get(object, property, str, null);
        Pointer p = str.getValue();
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            g.g_free(p);
        }
    }

    /**
     * The reply of a replied promise, or null when the promise was answered without one (webrtcbin's success reply
     * to set-*-description). gst1-java-core's {@code Promise.getReply()} throws on a NULL reply. The structure stays
     * owned by the promise: use it before disposing the promise and never dispose it.
     */
    public static Structure promiseReply(Promise promise) {
        Pointer reply = api().gst_promise_get_reply(Natives.getRawPointer(promise));
        return reply == null ? null : Natives.objectFor(reply, Structure.class, false, false);
    }

    /**
     * A new upstream {@code GstForceKeyUnit} event asking for a keyframe
     * ({@code gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, FALSE, 0)}). Sent on a webrtcbin src
     * pad, rtpptdemux/rtpssrcdemux add the payload type and SSRC and rtpsession turns it into an RTCP PLI.
     * {@code all-headers} must stay FALSE: with TRUE rtpsession sends a FIR whenever "ccm fir" was negotiated, and
     * livekit-server v1.13.5 ignores GStreamer's FIRs (it matches the FIR's media SSRC, which RFC 5104 sets to 0),
     * so no keyframe would ever be requested from the publisher.
     */
    public static Event forceKeyUnitUpstream() {
        Structure s = Structure.fromString("GstForceKeyUnit, all-headers=(boolean)false");
        Pointer raw = Natives.getRawPointer(s);
        // the event takes ownership of the structure
        s.disown();
        Pointer ev = api().gst_event_new_custom(EventType.CUSTOM_UPSTREAM.intValue(), raw);
        return Natives.objectFor(ev, Event.class, false, true);
    }

    // ------------------------------------------------------------------------------------------- pads

    /** Adds a probe calling {@code callback} natively; returns its id for {@link #removeProbe}. */
    public static NativeLong addProbe(Pad pad, int mask, PadProbeCallback callback) {
        return api().gst_pad_add_probe(Natives.getRawPointer(pad), mask, callback, null, null);
    }

    public static void removeProbe(Pad pad, NativeLong id) {
        api().gst_pad_remove_probe(Natives.getRawPointer(pad), id);
    }

    /** {@code gst_pad_set_offset}: shifts the running time of everything leaving (or entering) the pad. */
    public static void setOffset(Pad pad, long offsetNs) {
        api().gst_pad_set_offset(Natives.getRawPointer(pad), offsetNs);
    }

    /** {@code GST_EVENT_SEGMENT}: type 70, downstream, serialized, sticky. */
    private static final int EVENT_SEGMENT = (70 << 8) | 2 | 4 | 8;
    private static final int FORMAT_TIME = 3;

    /**
     * The running time of {@code timestamp} in the segment that {@code pad} currently carries, or -1 if it has none
     * (or the timestamp lies outside it).
     */
    public static long runningTime(Pad pad, long timestamp) {
        Pointer event = api().gst_pad_get_sticky_event(Natives.getRawPointer(pad), EVENT_SEGMENT, 0);
        if (event == null) {
            return -1;
        }
        try {
            PointerByReference segment = new PointerByReference();
            api().gst_event_parse_segment(event, segment);
            return segment.getValue() == null ? -1
                    : api().gst_segment_to_running_time(segment.getValue(), FORMAT_TIME, timestamp);
        } finally {
            api().gst_mini_object_unref(event);
        }
    }

    /** {@code gst_debug_bin_to_dot_data}, which gst1-java-core only offers as "write a file into a directory". */
    public static String dot(Bin bin, int details) {
        Pointer data = api().gst_debug_bin_to_dot_data(Natives.getRawPointer(bin), details);
        if (data == null) {
            return "";
        }
        try {
            return data.getString(0, "UTF-8");
        } finally {
            api().g_free(data);
        }
    }

    /** {@code GST_STATE_CHANGE_FAILURE}. */
    public static final int STATE_CHANGE_FAILURE = 0;

    private static final int STATE_PLAYING = 4;

    /**
     * Whether a failed state change left the element short of PLAYING: {@code gst_element_get_state} without
     * waiting returns {@code GST_STATE_CHANGE_FAILURE} (which gst1-java-core does not tell) and the current state is
     * not PLAYING. (Every error an element posts marks its bins' last state change failed, so the return alone
     * says nothing about a pipeline that plays.)
     */
    public static boolean stuckShortOfPlaying(Element element) {
        com.sun.jna.ptr.IntByReference state = new com.sun.jna.ptr.IntByReference();
        int ret = api().gst_element_get_state(Natives.getRawPointer(element), state,
                new com.sun.jna.ptr.IntByReference(), 0);
        return ret == STATE_CHANGE_FAILURE && state.getValue() != STATE_PLAYING;
    }

    /** {@code GST_MESSAGE_EOS}. */
    public static final int MESSAGE_EOS = 1;
    /** GstMessage: a 64-byte GstMiniObject (64-bit builds), then the type. */
    private static final long MESSAGE_TYPE_OFFSET = 64;

    /**
     * The type of the message a {@code GstBinForwarded} structure carries, read natively: gst1-java-core hands out
     * message wrappers from a cache keyed by address, and message memory is recycled, so a new EOS can come back as
     * the stale wrapper of an earlier message of another type (as with events, see {@link PadEventProbe}).
     *
     * @return the {@code GstMessageType}, or 0 when the field is missing
     */
    public static int forwardedMessageType(Structure forwarded) {
        Pointer value = api().gst_structure_get_value(Natives.getRawPointer(forwarded), "message");
        if (value == null) {
            return 0;
        }
        Pointer message = gobject().g_value_get_boxed(value);
        return message == null ? 0 : message.getInt(MESSAGE_TYPE_OFFSET);
    }
}
