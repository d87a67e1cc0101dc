package org.jegress.api.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.FileInfo;

/**
 * A validated start request with every default applied: what to capture, how to encode it and where to
 * write it. Built by {@link EgressPlanner}; immutable. A plan with a room source may still have a
 * {@linkplain FilePlan#pending() pending} file path, completed with {@link #withTracks} once the tracks are known.
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
 * @param websocket raw audio to a WebSocket, or null
 * @param manifestRequired whether a {@code <egress_id>.json} manifest is written
 * @param info the initial EgressInfo (status STARTING, redacted request echo, result entries)
 */
public record EgressPlan(String egressId, RequestType requestType, SourceKind sourceKind, boolean passthrough,
        WebSourcePlan web, RoomPlan room, TrackSelection tracks, AudioPlan audio, VideoPlan video,
        List<FilePlan> files, WebSocketPlan websocket, boolean manifestRequired, EgressInfo info) {

    public Optional<FilePlan> file() {
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(0));
    }

    public Optional<WebSocketPlan> webSocket() {
        return Optional.ofNullable(websocket);
    }

    /**
     * Whether the track is copied as it is into its container: a passthrough without a WebSocket (which takes
     * decoded audio).
     */
    public boolean remuxes() {
        return passthrough && websocket == null;
    }

    /**
     * The plan once the source knows the room's tracks: the file path completed (see {@link FilePlan#resolve}) and,
     * for a passthrough, the media the track carries.
     *
     * @param container for a track egress, the container its codec calls for; null keeps the planned one
     * @param replacements room-dependent filename placeholders
     * @param resolvedAudio the audio the outputs receive
     * @param resolvedVideo the video the outputs receive
     */
    public EgressPlan withTracks(OutputType container, Map<String, String> replacements, AudioPlan resolvedAudio,
            VideoPlan resolvedVideo) {
        List<FilePlan> resolvedFiles = new ArrayList<>();
        EgressInfo.Builder b = info.toBuilder();
        for (int i = 0; i < files.size(); i++) {
            FilePlan f = files.get(i).resolve(container, replacements);
            resolvedFiles.add(f);
            if (i < b.getFileResultsCount()) {
                FileInfo fi = b.getFileResults(i).toBuilder().setFilename(f.storagePath()).build();
                b.setFileResults(i, fi);
                if (i == 0 && b.hasFile()) {
                    b.setFile(fi);
                }
            }
        }
        return new EgressPlan(egressId, requestType, sourceKind, passthrough, web, room, tracks, resolvedAudio,
                resolvedVideo, List.copyOf(resolvedFiles), websocket, manifestRequired, b.build());
    }
}
