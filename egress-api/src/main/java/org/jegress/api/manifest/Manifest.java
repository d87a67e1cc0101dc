package org.jegress.api.manifest;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.api.plan.EgressPlan;

/**
 * What an egress produced, as JSON next to its outputs. Field names and the "omit empty" rule follow the
 * Go egress manifest; timestamps are Unix nanoseconds.
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class Manifest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @JsonProperty("egress_id") private String egressId;
    @JsonProperty("room_id") private String roomId;
    @JsonProperty("room_name") private String roomName;
    @JsonProperty("url") private String url;
    @JsonProperty("started_at") private long startedAt;
    @JsonProperty("ended_at") private long endedAt;
    @JsonProperty("publisher_identity") private String publisherIdentity;
    @JsonProperty("track_id") private String trackId;
    @JsonProperty("track_kind") private String trackKind;
    @JsonProperty("track_source") private String trackSource;
    @JsonProperty("audio_track_id") private String audioTrackId;
    @JsonProperty("video_track_id") private String videoTrackId;
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("files") private final List<FileEntry> files = new ArrayList<>();
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("playlists") private final List<PlaylistEntry> playlists = new ArrayList<>();
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("images") private final List<ImageEntry> images = new ArrayList<>();

    /** One file output. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record FileEntry(@JsonProperty("filename") String filename, @JsonProperty("location") String location) {
    }

    /** One HLS playlist and the segments stored so far. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static final class PlaylistEntry {
        @JsonProperty("location") private String location;
        @JsonProperty("segments") private final List<FileEntry> segments = new ArrayList<>();

        public synchronized void location(String location) {
            this.location = location;
        }

        public synchronized void addSegment(String filename, String location) {
            segments.add(new FileEntry(filename, location));
        }
    }

    /** One stored image; the timestamp is RFC 3339 with nanoseconds, as Go's time.Time marshals. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ImageEntry(@JsonProperty("filename") String filename, @JsonProperty("timestamp") String timestamp,
            @JsonProperty("location") String location) {
    }

    /** Starts a manifest for a plan (ended_at and entries are filled in as outputs finish). */
    public static Manifest of(EgressPlan plan) {
        Manifest m = new Manifest();
        m.egressId = emptyToNull(plan.egressId());
        m.roomId = emptyToNull(plan.info().getRoomId());
        m.roomName = emptyToNull(plan.info().getRoomName());
        if (plan.web() != null && plan.requestType() == org.jegress.api.plan.RequestType.WEB) {
            m.url = emptyToNull(plan.web().url());
        }
        m.startedAt = plan.info().getStartedAt();
        if (plan.tracks() != null) {
            m.publisherIdentity = emptyToNull(plan.tracks().identity());
            m.trackId = emptyToNull(plan.tracks().trackId());
            m.audioTrackId = emptyToNull(plan.tracks().audioTrackId());
            m.videoTrackId = emptyToNull(plan.tracks().videoTrackId());
        }
        return m;
    }

    public synchronized void addFile(String filename, String location) {
        files.add(new FileEntry(filename, location));
    }

    /** Adds a playlist whose location and segments are filled in as they are stored. */
    public synchronized PlaylistEntry addPlaylist() {
        PlaylistEntry p = new PlaylistEntry();
        playlists.add(p);
        return p;
    }

    public synchronized void addImage(String filename, java.time.Instant timestamp, String location) {
        images.add(new ImageEntry(filename, java.time.format.DateTimeFormatter.ISO_INSTANT.format(timestamp), location));
    }

    /** Whether anything was stored. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public synchronized boolean isEmpty() {
        return files.isEmpty() && playlists.isEmpty() && images.isEmpty();
    }

    public synchronized void startedAt(long startedAtNs) {
        this.startedAt = startedAtNs;
    }

    public synchronized void endedAt(long endedAtNs) {
        this.endedAt = endedAtNs;
    }

    /** The manifest as UTF-8 JSON bytes, followed by a newline (as Go's json.Encoder writes it). */
    public synchronized byte[] toJson() {
        try {
            byte[] body = JSON.writeValueAsBytes(this);
            byte[] out = new byte[body.length + 1];
            System.arraycopy(body, 0, out, 0, body.length);
            out[body.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /** Sets track details known once the source resolved the track (track egress). */
    public synchronized void track(String trackId, String kind, String source, String publisher) {
        this.trackId = emptyToNull(trackId);
        this.trackKind = emptyToNull(kind);
        this.trackSource = emptyToNull(source);
        if (publisher != null && !publisher.isEmpty()) {
            this.publisherIdentity = publisher;
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
