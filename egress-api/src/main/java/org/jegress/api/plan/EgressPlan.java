package org.jegress.api.plan;

import java.util.List;
import java.util.Optional;

import org.jegress.api.livekit.EgressInfo;

/**
 * A validated start request with every default applied: what to capture, how to encode it and where to
 * write it. Built by {@link EgressPlanner}; immutable.
 *
 * @param egressId the {@code EG_…} identifier
 * @param requestType which request shape this came from
 * @param sourceKind browser (WEB) or room tracks (SDK)
 * @param passthrough track is copied without transcoding
 * @param web browser source, or null for SDK sources
 * @param room room connection, or null for web egress
 * @param tracks SDK track selection, or null for browser sources
 * @param audio audio settings
 * @param video video settings
 * @param files file outputs (at most one)
 * @param manifestRequired whether a {@code <egress_id>.json} manifest is written
 * @param info the initial EgressInfo (status STARTING, redacted request echo, result entries)
 */
public record EgressPlan(String egressId, RequestType requestType, SourceKind sourceKind, boolean passthrough,
        WebSourcePlan web, RoomPlan room, TrackSelection tracks, AudioPlan audio, VideoPlan video,
        List<FilePlan> files, boolean manifestRequired, EgressInfo info) {

    public Optional<FilePlan> file() {
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(0));
    }
}
