package org.jegress.api.plan;

import java.time.Instant;
import java.time.ZoneId;

import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.EgressInfo;

/**
 * How one request's outputs are named: the placeholders known at request time, the identifier a generated name
 * starts with (the track, the participant, the room, or "web"), and the retry rules.
 */
final class PlanNaming {

    private final Instant now;
    private final ZoneId zone;
    private final int retryCount;
    private final EgressInfo.Builder info;
    private RequestType requestType;
    private String identity = "";
    private String trackId = "";

    PlanNaming(Instant now, ZoneId zone, int retryCount, EgressInfo.Builder info) {
        this.now = now;
        this.zone = zone;
        this.retryCount = retryCount;
        this.info = info;
    }

    void requestType(RequestType type) {
        this.requestType = type;
    }

    void identity(String identity) {
        this.identity = identity;
    }

    void trackId(String trackId) {
        this.trackId = trackId;
    }

    int retryCount() {
        return retryCount;
    }

    FilenameTemplate template() {
        FilenameTemplate t = new FilenameTemplate(now, zone);
        if (retryCount > 0) {
            t.with("{retry}", Integer.toString(retryCount));
        }
        if (!info.getRoomName().isEmpty()) {
            t.with("{room_name}", info.getRoomName()).with("{room_id}", info.getRoomId());
        }
        if (requestType == RequestType.PARTICIPANT) {
            t.with("{publisher_identity}", identity);
        }
        return t;
    }

    /** What a generated file name starts with: the track, the participant, the room, or "web". */
    String identifier() {
        if (!trackId.isEmpty()) {
            return trackId;
        }
        if (requestType == RequestType.PARTICIPANT) {
            return identity;
        }
        return info.getRoomName().isEmpty() ? "web" : info.getRoomName();
    }

    /** {@code <identifier>-<time>[-<retry>]}. */
    String generatedName() {
        return template().generatedName(identifier(), retryCount);
    }

    String resolveFilePath(OutputType type, String cleanedPath) {
        return template().resolveFilePath(cleanedPath, identifier(), type.extension(), retryCount);
    }

    /** Whether output names wait for the room: the publisher's identity, a track's ID, type, source or codec. */
    boolean dependsOnTracks() {
        return requestType == RequestType.TRACK || requestType == RequestType.TRACK_COMPOSITE
                || requestType == RequestType.MEDIA;
    }

    /** On retry, explicit paths must contain {@code {retry}} so the previous attempt is not overwritten. */
    void checkRetrySafe(String path) {
        if (retryCount > 0 && !path.isEmpty() && !path.endsWith("/") && !path.contains("{retry}")) {
            throw EgressException.nonRetryableOutput();
        }
    }
}
