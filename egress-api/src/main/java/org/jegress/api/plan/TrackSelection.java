package org.jegress.api.plan;

import java.util.List;

import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.livekit.ParticipantInfo;

/**
 * Which room tracks an SDK source subscribes to.
 *
 * @param identity participant whose tracks are recorded (participant egress, v2 participant_video)
 * @param screenShare record the screen share (and its audio) rather than camera and microphone
 * @param trackId the single track of a track egress or v2 passthrough
 * @param audioTrackId audio track of a track composite / v2 media
 * @param videoTrackId video track of a track composite / v2 media
 * @param audioRoutes v2 audio routes, in request order
 * @param captureAllAudio v2 {@code audio.capture_all}
 * @param layout room composite drawn without a browser: the request's layout (renderer prefix removed); empty
 *        otherwise
 */
public record TrackSelection(String identity, boolean screenShare, String trackId, String audioTrackId,
        String videoTrackId, List<AudioRoute> audioRoutes, boolean captureAllAudio, String layout) {

    /** One v2 audio route: exactly one of the match fields is set. */
    public record AudioRoute(String trackId, String participantIdentity, ParticipantInfo.Kind participantKind,
            AudioChannel channel) {
    }
}
