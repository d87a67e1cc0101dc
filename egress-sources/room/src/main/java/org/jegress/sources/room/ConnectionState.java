package org.jegress.sources.room;

/** Lifecycle of a {@link RoomConnection}. */
public enum ConnectionState {
    /** Joining for the first time. */
    CONNECTING,
    /** Joined; offers are answered and subscriptions served. */
    CONNECTED,
    /** The connection broke (WebSocket, ping timeout, peer connection, renegotiation webrtcbin cannot apply) and a full rejoin is under way. Subscribed tracks keep their elements; media resumes after the rejoin. */
    RECONNECTING,
    /** Closed on purpose (close(), room closed, participant removed, duplicate identity). Final. */
    CLOSED,
    /** Gave up after the configured rejoin attempts, or the first join failed. Final. */
    FAILED;

    public boolean isFinal() {
        return this == CLOSED || this == FAILED;
    }
}
