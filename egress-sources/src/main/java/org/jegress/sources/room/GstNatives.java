package org.jegress.sources.room;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import org.freedesktop.gstreamer.Promise;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.event.Event;
import org.freedesktop.gstreamer.event.EventType;
import org.freedesktop.gstreamer.glib.GObject;
import org.freedesktop.gstreamer.glib.Natives;

/**
 * The little native surface gst1-java-core 1.4.0 lacks, bound directly (as {@code PipelineGraph} does) instead of
 * reaching into its private {@code lowlevel} package: custom events, and JNA callback shapes for GObject signals
 * whose arguments gst1-java-core has no wrapper for. Callbacks receive raw pointers and must only hand work to a
 * Java executor; whoever connects one keeps it in a field for as long as the signal can fire.
 */
final class GstNatives {

    private interface GstApi extends Library {
        Pointer gst_event_new_custom(int type, Pointer structure);

        Pointer gst_promise_get_reply(Pointer promise);

    }

    /** {@code void (*)(GObject *self, GParamSpec *pspec, gpointer user_data)}: "notify::…" signals. */
    interface NotifyCallback extends Callback {
        void callback(Pointer self, Pointer pspec, Pointer userData);
    }

    /** {@code void (*)(GstElement *self, GObject *object, gpointer user_data)}: on-new-transceiver, on-data-channel. */
    interface ObjectCallback extends Callback {
        void callback(Pointer self, Pointer object, Pointer userData);
    }

    /** {@code void (*)(GstElement *rtpbin, GstElement *jitterbuffer, guint session, guint ssrc, gpointer data)}. */
    interface NewJitterBufferCallback extends Callback {
        void callback(Pointer rtpbin, Pointer jitterbuffer, int session, int ssrc, Pointer userData);
    }

    /** {@code void (*)(GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer user_data)}: fakesink handoff. */
    interface HandoffCallback extends Callback {
        void callback(Pointer sink, Pointer buffer, Pointer pad, Pointer userData);
    }

    /** Only g_object_get with one property and its NULL terminator (varargs are spelled out for JNA). */
    private interface GObjectApi extends Library {
        void g_object_get(Pointer object, String property, PointerByReference value, Pointer terminator);

        void g_object_unref(Pointer object);

        void g_free(Pointer mem);

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
    static boolean setSessionUint64(Element rtpbin, int sessionId, String property, long value) {
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
    static void setBoolean(Pointer object, String property, boolean value) {
        gobject().g_object_set(object, property, value ? 1 : 0, null);
    }

    /**
     * Turns off UPnP port mapping in webrtcbin's libnice agent (on by default there): a recorder never needs a
     * router to open ports for it, and every agent would otherwise start an SSDP search and an HTTP server of its own
     * on each interface.
     *
     * @return false if the ICE implementation is not libnice
     */
    static boolean disableUpnp(Element webrtcbin) {
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
    static String stringOfObjectProperty(GObject owner, String objectProperty, String stringProperty) {
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
    static String stringProperty(GObject owner, String property) {
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
    static Structure promiseReply(Promise promise) {
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
    static Event forceKeyUnitUpstream() {
        Structure s = Structure.fromString("GstForceKeyUnit, all-headers=(boolean)false");
        Pointer raw = Natives.getRawPointer(s);
        // the event takes ownership of the structure
        s.disown();
        Pointer ev = api().gst_event_new_custom(EventType.CUSTOM_UPSTREAM.intValue(), raw);
        return Natives.objectFor(ev, Event.class, false, true);
    }
}
