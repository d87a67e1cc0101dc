package org.jegress.api.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.ImagesInfo;
import org.jegress.api.livekit.SegmentsInfo;

/**
 * A validated start request with every default applied: what to capture, how to encode it and where to
 * write it. Built by {@link EgressPlanner}; immutable. A plan with a room source may still have pending output
 * names, completed with {@link #withTracks} once the tracks are known.
 *
 * <p>Outputs: at most one file, one stream output (any number of RTMP or SRT URLs), one HLS output, any number of
 * image outputs, or a raw-audio WebSocket; all fed by one encode.
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
 * @param stream the RTMP/SRT output, or null
 * @param segments the HLS output, or null
 * @param images image outputs
 * @param websocket raw audio to a WebSocket, or null
 * @param info the initial EgressInfo (status STARTING, redacted request echo, result entries)
 */
public record EgressPlan(String egressId, RequestType requestType, SourceKind sourceKind, boolean passthrough,
        WebSourcePlan web, RoomPlan room, TrackSelection tracks, AudioPlan audio, VideoPlan video,
        List<FilePlan> files, StreamPlan stream, SegmentsPlan segments, List<ImagesPlan> images,
        WebSocketPlan websocket, EgressInfo info) {

    public EgressPlan {
        files = List.copyOf(files);
        images = List.copyOf(images);
    }

    public Optional<FilePlan> file() {
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(0));
    }

    public Optional<StreamPlan> streams() {
        return Optional.ofNullable(stream);
    }

    public Optional<SegmentsPlan> segmentOutput() {
        return Optional.ofNullable(segments);
    }

    public Optional<WebSocketPlan> webSocket() {
        return Optional.ofNullable(websocket);
    }

    /**
     * Whether this egress is light enough to share a process with others: room tracks (no browser) and no video
     * decoded or encoded, e.g. a track egress (passthrough or WebSocket) or an audio-only track
     * composite. A worker may host many of these in one handler process.
     */
    public boolean lightweight() {
        return sourceKind == SourceKind.SDK && (video == null || !video.enabled()
                || !video.decoding() && !video.encoding()) && images.isEmpty();
    }

    /** Whether the request draws a layout of the room's participants (room composite, v2 template). */
    public boolean composesRoom() {
        return requestType == RequestType.ROOM_COMPOSITE || requestType == RequestType.TEMPLATE;
    }

    /** Whether any output needs the picture as raw frames (image outputs). */
    public boolean needsRawVideo() {
        return !images.isEmpty();
    }

    /**
     * Whether the track is copied as it is into its container: a passthrough without a WebSocket (which takes
     * decoded audio).
     */
    public boolean remuxes() {
        return passthrough && websocket == null;
    }

    /**
     * The plan once the source knows the room's tracks: output names completed (see {@link FilePlan#resolve},
     * {@link SegmentsPlan#resolve}, {@link ImagesPlan#resolve}) and, for a passthrough, the media the track carries.
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
        SegmentsPlan resolvedSegments = segments == null ? null : segments.resolve(replacements);
        if (resolvedSegments != null && b.getSegmentResultsCount() > 0) {
            SegmentsInfo si = b.getSegmentResults(0).toBuilder().setPlaylistName(resolvedSegments.playlistPath())
                    .setLivePlaylistName(resolvedSegments.livePlaylistPath()).build();
            b.setSegmentResults(0, si);
            if (b.hasSegments()) {
                b.setSegments(si);
            }
        }
        List<ImagesPlan> resolvedImages = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImagesPlan im = images.get(i).resolve(replacements);
            resolvedImages.add(im);
            if (i < b.getImageResultsCount()) {
                b.setImageResults(i, ImagesInfo.newBuilder(b.getImageResults(i)).setFilenamePrefix(im.prefixPath()));
            }
        }
        return new EgressPlan(egressId, requestType, sourceKind, passthrough, web, room, tracks, resolvedAudio,
                resolvedVideo, resolvedFiles, stream, resolvedSegments, resolvedImages, websocket, b.build());
    }
}
