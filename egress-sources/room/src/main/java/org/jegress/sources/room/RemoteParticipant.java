package org.jegress.sources.room;

import java.util.List;
import java.util.Map;

/**
 * Another participant of the room (never the recorder itself), as the server last described it.
 *
 * @param sid participant SID ({@code PA_…}); a participant that leaves and rejoins gets a new one
 * @param identity identity from its token
 * @param name display name
 * @param kind "STANDARD", "AGENT", "SIP", "INGRESS", "EGRESS", ... (LiveKit's {@code ParticipantInfo.Kind})
 * @param state "JOINING", "JOINED", "ACTIVE" or "DISCONNECTED"
 * @param metadata participant metadata
 * @param attributes participant attributes
 * @param version server-side version of this description; older updates are ignored
 * @param tracks its published tracks
 */
public record RemoteParticipant(String sid, String identity, String name, String kind, String state, String metadata,
        Map<String, String> attributes, int version, List<RemoteTrack> tracks) {

    public RemoteParticipant {
        attributes = Map.copyOf(attributes);
        tracks = List.copyOf(tracks);
    }
}
