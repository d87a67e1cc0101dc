package org.jegress.sources.room;

/**
 * How to stop livekit-server from reusing an inactive subscriber transceiver for a new track, which webrtcbin 1.22
 * cannot apply ("transceiver direction changes are not implemented"; spec §5.4 P1). Whatever is chosen, an offer
 * that still reuses a transceiver triggers a full rejoin instead of being applied.
 */
public enum TransceiverReuseMitigation {
    /**
     * {@code protocol=17&browser=safari}: servers ≥ v1.12.0 never reuse transceivers for Safari subscribers (they
     * also stop offering audio RED and AV1 to it, both of which we filter anyway). The default: it keeps the
     * current protocol level and works with livekit-server v1.13.5.
     */
    BROWSER_SAFARI,
    /**
     * {@code protocol=3}: reuse is a protocol > 3 feature, so this works on every server version; it costs features
     * a recorder does not need (ICE-lite, leave actions: only {@code can_reconnect} is set below protocol 13).
     */
    PROTOCOL_3,
    /** {@code protocol=17}, no workaround: every reuse ends in a full rejoin (a media gap). For experiments only. */
    NONE
}
