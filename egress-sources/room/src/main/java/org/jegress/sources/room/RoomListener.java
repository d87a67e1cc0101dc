package org.jegress.sources.room;

/**
 * Room events. Every method has an empty default, so implement only what you need. Calls arrive in order, one at a
 * time, on the connection's event thread (never a GStreamer streaming thread and never the signalling thread), so a
 * listener may call back into the {@link RoomConnection}, and may even block briefly, without stalling signalling;
 * a listener that blocks for long only delays later events.
 */
public interface RoomListener {

    /** A participant is in the room (also called for everyone already there when the connection joins). */
    default void participantJoined(RemoteParticipant participant) {
    }

    /** A participant left (its tracks were reported unpublished just before). */
    default void participantLeft(RemoteParticipant participant) {
    }

    /** A track was published (also called for tracks already published when the connection joins). */
    default void trackPublished(RemoteTrack track) {
    }

    /** A track was unpublished, or its publisher left. */
    default void trackUnpublished(RemoteTrack track) {
    }

    default void trackMuted(RemoteTrack track) {
    }

    default void trackUnmuted(RemoteTrack track) {
    }

    /**
     * The active speakers changed (livekit-server's speaker updates): identities of the remote participants
     * speaking now, loudest first; empty when nobody speaks.
     */
    default void activeSpeakersChanged(java.util.List<String> identities) {
    }

    /** This connection's own participant metadata changed (e.g. UpdateLayout sets a recorder's). */
    default void ownMetadataChanged(String metadata) {
    }

    /**
     * The connection state changed. {@link ConnectionState#RECONNECTING} is followed by {@link ConnectionState#CONNECTED}
     * once a rejoin succeeded, or by {@link ConnectionState#FAILED}.
     *
     * @param cause what caused the change (null for normal transitions)
     */
    default void connectionStateChanged(ConnectionState state, Throwable cause) {
    }
}
