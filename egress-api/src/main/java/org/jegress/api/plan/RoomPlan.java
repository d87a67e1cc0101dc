package org.jegress.api.plan;

/**
 * How a room-bound egress joins its room.
 *
 * @param roomName room to join
 * @param roomId room SID as filled by livekit-server, may be empty
 * @param token access token: the request's own, or one minted for the egress identity
 * @param wsUrl LiveKit server WebSocket URL
 */
public record RoomPlan(String roomName, String roomId, String token, String wsUrl) {
}
