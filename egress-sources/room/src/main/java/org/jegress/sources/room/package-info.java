/**
 * Joins a LiveKit room as a hidden, subscribe-only recorder and delivers each subscribed track, depayloaded but
 * still encoded, as a GStreamer element inside one pipeline.
 *
 * <h2>What it is</h2>
 * {@link org.jegress.sources.room.RoomConnection} speaks LiveKit signalling ({@code /rtc} v0: one protobuf
 * {@code SignalRequest}/{@code SignalResponse} per binary WebSocket frame, JDK {@code java.net.http.WebSocket}) with
 * an egress token (hidden, recorder, subscribe-only, kind egress, minted per join from the API key and secret), and
 * receives media with {@code webrtcbin} (GStreamer 1.22): the server offers, webrtcbin answers. Media never crosses
 * into Java; Java sees signalling, a handful of signals (pad-added, ICE candidates, state), one callback per
 * <em>keyframe</em> of a video track, and a few events (never buffers).
 *
 * <h2>Using it</h2>
 * <pre>{@code
 * RoomOptions opts = RoomOptions.builder("ws://livekit:7880", apiKey, apiSecret)
 *         .room("my-room").identity(egressId).build();
 * try (RoomConnection room = RoomConnection.connect(opts, null, listener)) {   // null: it owns the pipeline
 *     SubscribedTrack t = room.subscribe(trackSid).get(30, SECONDS);          // completes at the first packet
 *     Bin branch = Gst.parseBinFromDescription(
 *             "queue ! opusparse ! oggmux ! filesink async=false location=out.ogg", true);
 *     room.pipeline().add(branch);
 *     t.src().link(branch.getStaticPad("sink"));
 *     branch.syncStateWithParent();
 *     t.start();                                  // lets the held media through
 *     EosWatch done = EosWatch.on(filesinkSinkPad);
 *     ...
 *     t.endStream();                              // or: the track ends by itself (unpublish, publisher left)
 *     done.eos().get(10, SECONDS);                // the file is finalised
 * }
 * }</pre>
 * The consumer must: link {@link org.jegress.sources.room.SubscribedTrack#src()} to its branch, bring the branch to
 * the pipeline's state, then call {@link org.jegress.sources.room.SubscribedTrack#start()} (media pushed into a branch
 * that is not running would stop the track's streaming thread); give sinks it adds to the running live pipeline
 * {@code async=false}; wait for EOS at its own sinks ({@link org.jegress.pipeline.gst.EosWatch}) because a pipeline
 * holding webrtcbin never posts a pipeline-level EOS; and never let its branch fail: with BUNDLE all tracks share one
 * transport and webrtcbin 1.22 hands a failing flow return back to the network source, which stops every track (the
 * connection then notices the dead transport and rejoins). Delivered caps: Opus {@code audio/x-opus}, PCMU/PCMA
 * {@code audio/x-mulaw}/{@code audio/x-alaw}, H.264 {@code video/x-h264} (avc or byte-stream, as the branch asks),
 * VP8/VP9 {@code video/x-vp8}/{@code video/x-vp9}. For VP8/VP9 the first caps are kept (resolution changes travel in
 * band) so passthrough muxers such as webmmux keep running when a publisher changes resolution; an H.264 resolution
 * change arrives as new caps.
 *
 * <h2>Pipeline ownership</h2>
 * Webrtcbin and the track bins live in one pipeline together with the consumer's branches. Either the connection
 * creates it ({@code connect(opts, null, …)}; {@link org.jegress.sources.room.RoomConnection#pipeline()}; stopped and
 * disposed by {@code close()}), or the caller passes its own pipeline, which must already be PLAYING (webrtcbin has to
 * be before the first offer). Either way the connection adds and removes its own elements and listens to the bus for
 * errors from inside its webrtcbin ({@link org.jegress.sources.room.RoomConnection#ownsMessageSource} tells a shared
 * bus handler which errors are the connection's to handle); track bins stay in the pipeline after their track ended so
 * that the consumer's branch can drain.
 *
 * <h2>Threading</h2>
 * Per connection: one signalling thread ({@code room-N-signal}) that runs everything that changes state, in order
 * (messages, offer/answer including the blocking waits on webrtcbin promises, subscriptions, ping timer, rejoins);
 * one event thread ({@code room-N-events}) that calls {@link org.jegress.sources.room.RoomListener}s and completes the
 * futures handed out, so user code never runs on the signalling thread or a streaming thread and may call back into
 * the connection; and a small pool ({@code room-N-gst}) for calls that may wait on a streaming thread (EOS injection).
 * webrtcbin and pad callbacks run on GStreamer threads and only enqueue work, except pad-added, which must link the
 * new pad before it returns (to the track's bin, or to a dropping valve for streams nobody wants). No webrtcbin
 * promise is ever waited on inside a webrtcbin callback. JNA callbacks, and the Java wrappers of every element or pad
 * carrying one (gst1-java-core caches wrappers weakly), are held in fields for as long as GStreamer can call them.
 *
 * <h2>Negotiation</h2>
 * {@code bundle-policy=max-bundle}; each offer is parsed, unsupported payloads (RED, ULPFEC, AV1, H.265, CN, …) are
 * removed from it, keeping only the track's own codec when its mid is known ({@code mid_to_track_id}, else the msid)
 * with the best H.264 variant first, and webrtcbin auto-creates recvonly transceivers whose {@code do-nack} is set
 * in {@code on-new-transceiver} (so NACK/RTX and {@code nack pli} are answered, RED never). set-remote-description,
 * create-answer and set-local-description are each awaited and checked for an error in the promise reply. Local ICE
 * candidates are held until the answer is sent, then trickled with target SUBSCRIBER; remote candidates are added on
 * the BUNDLE master m-line. STUN/TURN servers from the JoinResponse are resolved first (libnice gathers nothing at all
 * when a STUN host name does not resolve). Pads are mapped to tracks by the transceiver's mid. Keyframe requests are
 * upstream {@code GstForceKeyUnit} events with {@code all-headers=false}, which rtpsession turns into RTCP PLI
 * (livekit-server ignores the FIR that {@code all-headers=true} would produce), throttled to one per second per track;
 * a video track keeps asking until its first keyframe after start or after a rejoin has arrived.
 *
 * <h2>Rejoin</h2>
 * No resume (it needs an ICE restart, which webrtcbin 1.22 cannot do): on WebSocket loss, ping timeout (no message
 * within the server's ping timeout; ping_req is sent every ping interval), peer connection FAILED (or DISCONNECTED
 * for 5 s), a webrtcbin error on the bus, a refused description, an offer that restarts ICE, an offer that reuses an
 * inactive transceiver for a new track, or a server leave asking to reconnect, the connection tears the peer down,
 * opens a new session with the same identity (evicting the old one), and re-subscribes every wanted track that still
 * exists. {@link org.jegress.sources.room.SubscribedTrack} bins survive: the new pad is linked into the same bin, so
 * consumers only see a gap (about 1 s) and a fresh keyframe. Tracks that disappeared meanwhile end. After
 * {@code maxRejoinAttempts} consecutive failures the state becomes FAILED and every track ends
 * ({@link org.jegress.sources.room.EndReason#CONNECTION_FAILED}). Leaves that mean "stop" (room closed or deleted,
 * participant removed, duplicate identity) close the connection. Transceiver reuse is avoided up front with the join
 * query: {@code browser=safari} by default (livekit-server ≥ 1.12), or {@code protocol=3}
 * ({@link org.jegress.sources.room.TransceiverReuseMitigation}).
 *
 * <h2>Track ends</h2>
 * A track ends exactly once, with EOS out of its src pad and {@link org.jegress.sources.room.SubscribedTrack#ended()}
 * completed with the reason: unpublished, publisher left, unsubscribed, stopped by the consumer, connection closed or
 * failed. An EOS webrtcbin sends by itself (RTCP BYE, m-line made inactive) is not passed on as is: the track's entry
 * valve closes first (late packets would otherwise be answered with EOS and stop the shared transport) and the track
 * ends the same orderly way. {@code close()} sends a LeaveRequest (CLIENT_INITIATED), ends every track and releases
 * webrtcbin.
 */
package org.jegress.sources.room;
