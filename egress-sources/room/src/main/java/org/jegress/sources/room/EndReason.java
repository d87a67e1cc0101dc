package org.jegress.sources.room;

/** Why a {@link SubscribedTrack} ended. Every end is followed by EOS on the track's "src" pad. */
public enum EndReason {
    /** The publisher unpublished the track. */
    UNPUBLISHED,
    /** The publisher left the room (or was removed). */
    PARTICIPANT_LEFT,
    /** {@link SubscribedTrack#unsubscribe()} was called. */
    UNSUBSCRIBED,
    /** {@link SubscribedTrack#endStream()} was called: the consumer asked for EOS (e.g. to finalise a file). */
    STOPPED,
    /** {@link RoomConnection#close()} was called, or the server closed the room / removed the recorder. */
    CONNECTION_CLOSED,
    /** The connection was lost for good (every rejoin attempt failed). */
    CONNECTION_FAILED
}
