package org.jegress.sources.room;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.sun.jna.ptr.IntByReference;

import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Promise;
import org.freedesktop.gstreamer.PromiseResult;
import org.freedesktop.gstreamer.SDPMessage;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.glib.Natives;
import org.freedesktop.gstreamer.webrtc.WebRTCBin;
import org.freedesktop.gstreamer.webrtc.WebRTCPeerConnectionState;
import org.freedesktop.gstreamer.webrtc.WebRTCSDPType;
import org.freedesktop.gstreamer.webrtc.WebRTCSessionDescription;
import org.jegress.sources.room.proto.ICEServer;
import org.jegress.pipeline.gst.GstNatives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber peer connection: a {@code webrtcbin} (max-bundle) inside the host pipeline, answering server offers.
 * A rejoin throws the whole object away and makes a new one, so nothing here has to survive a renegotiation failure.
 *
 * <p>Threading: {@link #negotiate} blocks on webrtcbin promises and must run on the connection's signalling thread,
 * never inside a webrtcbin callback. The signal callbacks below run on webrtcbin/GStreamer threads and only forward
 * to {@link Events}, which must not block (pad-added links synchronously, everything else is enqueued).
 */
final class PeerSession {

    private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);
    private static final Duration PROMISE_TIMEOUT = Duration.ofSeconds(10);

    /** Callbacks out of webrtcbin. */
    interface Events {
        /** A local ICE candidate (webrtcbin thread; enqueue only). */
        void iceCandidate(PeerSession peer, int mlineIndex, String candidate);

        /** A new src pad (streaming thread): link it before returning, to a track bin or a fakesink. */
        void padAdded(PeerSession peer, Pad pad);

        /** connection-state or ice-connection-state changed (enqueue only). */
        void stateChanged(PeerSession peer);
    }

    /** webrtcbin refused a description or failed to create the answer. */
    static final class NegotiationException extends Exception {
        private static final long serialVersionUID = 1L;

        NegotiationException(String message) {
            super(message);
        }
    }

    final int generation;
    final WebRTCBin webrtc;
    private final Pipeline host;
    private final ScheduledExecutorService timer;
    private volatile boolean disposed;
    /** Regular RTCP interval of the receiving session (RTPSession default: 5 s). */
    static final long RTCP_INTERVAL_MS = 1000;
    private boolean sessionTuned;
    private final List<Element> extras = new java.util.concurrent.CopyOnWriteArrayList<>();

    // JNA callbacks: referenced from fields for as long as webrtcbin can call them
    private final WebRTCBin.ON_ICE_CANDIDATE onIceCandidate;
    private final Element.PAD_ADDED onPadAdded;
    private final GstNatives.ObjectCallback onNewTransceiver;
    private final GstNatives.ObjectCallback onDataChannel;
    private final GstNatives.NotifyCallback onConnectionState;
    private final GstNatives.NewJitterBufferCallback onNewJitterBuffer;
    /** webrtcbin's rtpbin; its wrapper holds the new-jitterbuffer callback. */
    private final Element rtpbin;
    private final GstNatives.NotifyCallback onIceConnectionState;

    PeerSession(int generation, Pipeline host, Duration latency, List<ICEServer> iceServers, boolean forceRelay,
            ScheduledExecutorService timer, Events events) {
        this.generation = generation;
        this.host = host;
        this.timer = timer;
        this.webrtc = new WebRTCBin("lkrecv" + generation);
        webrtc.setAsString("bundle-policy", "max-bundle");
        webrtc.set("latency", (int) latency.toMillis());
        if (forceRelay) {
            webrtc.setAsString("ice-transport-policy", "relay");
        }
        configureIceServers(iceServers);
        if (!GstNatives.disableUpnp(webrtc)) {
            LOG.debug("webrtcbin {}: ICE agent is not libnice; UPnP left as it is", webrtc.getName());
        }
        // With NACK on, a jitter buffer by default also expects the *next* packet on time and, when it does not come,
        // asks for it and then declares it lost. When a publisher mutes, the SFU pauses the stream and later resumes
        // it with the next sequence number: that packet (for video the first of the resume keyframe) was declared
        // lost during the pause and is dropped as late, leaving the decoder waiting for a keyframe nobody sends.
        // Retransmissions are still requested for real gaps.
        rtpbin = webrtc.getElementByName("rtpbin");
        onNewJitterBuffer = (bin, jitterbuffer, session, ssrc, data) ->
                GstNatives.setBoolean(jitterbuffer, "rtx-next-seqnum", false);
        if (rtpbin != null) {
            rtpbin.connect("new-jitterbuffer", GstNatives.NewJitterBufferCallback.class, onNewJitterBuffer,
                    onNewJitterBuffer);
        }

        onIceCandidate = (mline, candidate) -> {
            if (!disposed) {
                events.iceCandidate(this, mline, candidate);
            }
        };
        onPadAdded = (element, pad) -> {
            if (!disposed && pad.getDirection() == org.freedesktop.gstreamer.PadDirection.SRC) {
                events.padAdded(this, pad);
            }
        };
        onNewTransceiver = (self, transceiver, data) -> {
            // NACK/RTX are only negotiated with do-nack; fec-type stays NONE so RED is never answered.
            GstObject t = Natives.objectFor(transceiver, GstObject.class, true, true);
            try {
                t.set("do-nack", true);
            } finally {
                t.dispose();
            }
        };
        onDataChannel = (self, channel, data) -> {
            // LiveKit opens _reliable/_lossy on the subscriber PC; a recorder has no use for them.
        };
        onConnectionState = (self, pspec, data) -> {
            if (!disposed) {
                events.stateChanged(this);
            }
        };
        onIceConnectionState = onConnectionState::callback;
        webrtc.connect(onIceCandidate);
        webrtc.connect(onPadAdded);
        webrtc.connect("on-new-transceiver", GstNatives.ObjectCallback.class, onNewTransceiver, onNewTransceiver);
        webrtc.connect("on-data-channel", GstNatives.ObjectCallback.class, onDataChannel, onDataChannel);
        webrtc.connect("notify::connection-state", GstNatives.NotifyCallback.class, onConnectionState,
                onConnectionState);
        webrtc.connect("notify::ice-connection-state", GstNatives.NotifyCallback.class, onIceConnectionState,
                onIceConnectionState);
    }

    private void configureIceServers(List<ICEServer> servers) {
        boolean stunSet = false;
        for (ICEServer s : servers) {
            for (String url : s.getUrlsList()) {
                String u = url.trim();
                int colon = u.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String scheme = u.substring(0, colon);
                String rest = u.substring(colon + 1);
                if (scheme.equals("stun") && !stunSet) {
                    String hostPort = resolvedHostPort(rest);
                    if (hostPort != null) {
                        webrtc.setStunServer("stun://" + hostPort);
                        stunSet = true;
                    }
                } else if (scheme.equals("turn") || scheme.equals("turns")) {
                    // turns keeps its host name (TLS verifies it); plain TURN gets a resolved address
                    String target = scheme.equals("turns") ? rest : resolvedHostPort(rest);
                    if (target == null) {
                        continue;
                    }
                    String uri = scheme + "://" + enc(s.getUsername()) + ":" + enc(s.getCredential()) + "@" + target;
                    IntByReference ok = new IntByReference();
                    webrtc.emit("add-turn-server", uri, ok);
                    LOG.debug("TURN server {} added: {}", u, ok.getValue() != 0);
                }
            }
        }
    }

    /**
     * {@code host:port[?params]} with the host resolved to an address, or null if it does not resolve within 2 s.
     * libnice 0.1.21 resolves STUN host names itself, and when that fails it gathers no candidate at all, not even
     * host candidates, so the peer connection could never connect without DNS.
     */
    static String resolvedHostPort(String hostPortParams) {
        String hp = hostPortParams;
        String params = "";
        int q = hp.indexOf('?');
        if (q >= 0) {
            params = hp.substring(q);
            hp = hp.substring(0, q);
        }
        int c = hp.lastIndexOf(':');
        String host = c < 0 ? hp : hp.substring(0, c);
        String port = c < 0 ? "3478" : hp.substring(c + 1);
        try {
            java.net.InetAddress a = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return java.net.InetAddress.getByName(host);
                        } catch (java.net.UnknownHostException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    })
                    .get(2, TimeUnit.SECONDS);
            String ip = a.getHostAddress();
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port + params;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("ICE server {} does not resolve ({}); not using it", host, e.getCause() == null ? e : e.getCause());
            return null;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    /** Adds webrtcbin to the host pipeline and brings it to the host's (PLAYING) state. */
    void start() {
        host.add(webrtc);
        if (!webrtc.syncStateWithParent()) {
            throw new RoomConnectionException("webrtcbin refused to follow the pipeline state", null);
        }
    }

    /**
     * set-remote-description(offer) → create-answer → set-local-description(answer), each awaited and checked for
     * an error in the promise reply (gst1-java-core's own setters discard it).
     *
     * @return the answer SDP text
     */
    String negotiate(String offerSdp) throws NegotiationException {
        WebRTCSessionDescription offer = description(WebRTCSDPType.OFFER, offerSdp);
        try {
            await("set-remote-description", offer);
        } finally {
            offer.dispose();
        }
        String answerSdp;
        Promise p = new Promise();
        try {
            webrtc.emit("create-answer", null, p);
            Structure reply = awaitReply(p, "create-answer");
            if (reply == null || !reply.hasField("answer")) {
                throw new NegotiationException("create-answer: " + (reply == null ? "no reply" : reply.toString()));
            }
            WebRTCSessionDescription answer = (WebRTCSessionDescription) reply.getValue("answer");
            // owned by the reply, which the promise frees
            answer.disown();
            SDPMessage msg = answer.getSDPMessage();
            answerSdp = msg.toString();
            msg.dispose();
        } finally {
            p.dispose();
        }
        WebRTCSessionDescription local = description(WebRTCSDPType.ANSWER, answerSdp);
        try {
            await("set-local-description", local);
        } finally {
            local.dispose();
        }
        if (!sessionTuned) {
            sessionTuned = tuneRtcp();
        }
        return answerSdp;
    }

    /**
     * Lets keyframe requests out promptly: an RTP session sends one early RTCP packet, then holds further feedback
     * until its next regular report, by default up to 5 s later. A video track whose first keyframe got lost (the
     * server starts forwarding the moment it has our answer) would stay black that long; with reports every
     * {@value #RTCP_INTERVAL_MS} ms a repeated request reaches the publisher within about a second.
     */
    private boolean tuneRtcp() {
        if (rtpbin == null) {
            return false;
        }
        try {
            if (!GstNatives.setSessionUint64(rtpbin, 0, "rtcp-min-interval", RTCP_INTERVAL_MS * 1_000_000L)) {
                return false;
            }
            LOG.debug("webrtcbin {}: RTCP min interval {} ms", webrtc.getName(), RTCP_INTERVAL_MS);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("webrtcbin {}: cannot tune RTCP: {}", webrtc.getName(), e.toString());
            return true;
        }
    }

    private static WebRTCSessionDescription description(WebRTCSDPType type, String sdp) {
        SDPMessage msg = new SDPMessage();
        msg.parseBuffer(sdp);
        WebRTCSessionDescription d = new WebRTCSessionDescription(type, msg);
        // the description took the message over
        msg.disown();
        return d;
    }

    private void await(String signal, WebRTCSessionDescription description) throws NegotiationException {
        Promise p = new Promise();
        try {
            webrtc.emit(signal, description, p);
            Structure reply = awaitReply(p, signal);
            if (reply != null && reply.hasField("error")) {
                throw new NegotiationException(signal + ": " + reply);
            }
        } finally {
            p.dispose();
        }
    }

    /** Waits for a promise (interrupting it after {@link #PROMISE_TIMEOUT}); the reply stays owned by the promise. */
    private Structure awaitReply(Promise p, String what) throws NegotiationException {
        ScheduledFuture<?> watchdog = timer.schedule(p::interrupt, PROMISE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        PromiseResult r;
        try {
            r = p.waitResult();
        } finally {
            watchdog.cancel(false);
        }
        if (r != PromiseResult.REPLIED) {
            throw new NegotiationException(what + ": promise " + r);
        }
        return GstNatives.promiseReply(p);
    }

    /** Remote candidate; with BUNDLE always for the bundle master m-line. */
    void addRemoteCandidate(int mlineIndex, String candidate) {
        if (!disposed) {
            webrtc.addIceCandidate(mlineIndex, candidate);
        }
    }

    WebRTCPeerConnectionState connectionState() {
        return webrtc.getConnectionState();
    }

    /** ice-connection-state as its enum nick ("new", "checking", "connected", "failed", ...). */
    String iceConnectionState() {
        return webrtc.getAsString("ice-connection-state");
    }

    boolean isDisposed() {
        return disposed;
    }

    /** An element (a fakesink for an unwanted stream) that lives and dies with this peer connection. */
    void ownExtra(Element e) {
        extras.add(e);
    }

    /** Stops webrtcbin (NULL), removes it from the host pipeline (unlinking its pads) and releases it. */
    void dispose() {
        if (disposed) {
            return;
        }
        disposed = true;
        try {
            webrtc.setState(State.NULL);
            host.remove(webrtc);
            for (Element e : extras) {
                e.setState(State.NULL);
                host.remove(e);
            }
            extras.clear();
        } catch (RuntimeException e) {
            LOG.debug("webrtcbin teardown: {}", e.toString());
        }
    }
}
