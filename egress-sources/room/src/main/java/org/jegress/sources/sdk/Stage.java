package org.jegress.sources.sdk;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.api.layout.CompositeLayout;
import org.jegress.api.layout.RoomLayout;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.pipeline.spi.RecordingInputs;
import org.jegress.pipeline.spi.VideoTile;
import org.jegress.sources.room.RemoteTrack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room composite drawn without a browser: one compositor tile per video track, placed by {@link RoomLayout} (the
 * Chromium template's rules) as tracks come and go, the active speaker changes and UpdateLayout sets the recorder's
 * metadata ({@code {"layout": "..."}}). Only pad properties change; media never passes through here. Each video is
 * asked for at its tile's size, so the SFU forwards the simulcast layer that fits (less to decode and scale). Thread-safe:
 * room events and the egress thread both call in.
 */
final class Stage {

    private static final Logger LOG = LoggerFactory.getLogger(Stage.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String egressId;
    private final RoomLayout layout;
    private final Map<String, VideoTile> tiles = new HashMap<>();
    /** The size last asked for, by track. */
    private final Map<String, CompositeLayout.Rect> asked = new HashMap<>();
    private final SizeRequests sizes;
    private RecordingInputs inputs;

    /** Where the wanted size of a video goes (the room connection's track settings). */
    interface SizeRequests {
        void request(String trackSid, int width, int height);
    }

    Stage(String egressId, String layoutName, int width, int height, SizeRequests sizes) {
        this.egressId = egressId;
        this.layout = new RoomLayout(layoutName, width, height);
        this.sizes = sizes;
    }

    /** The recording's inputs are ready: the background takes the layout's theme. */
    synchronized void attach(RecordingInputs recording) {
        inputs = recording;
        draw(layout.frame());
    }

    /** A tile for a video track, laid out with the others; returns it for the track to link to. */
    synchronized VideoTile add(RemoteTrack track) {
        VideoTile tile = inputs.videoTile();
        tiles.put(track.sid(), tile);
        apply(layout.add(new CompositeLayout.Tile(track.sid(), track.participantIdentity(),
                track.source().startsWith("SCREEN_SHARE"))));
        return tile;
    }

    /** A video track ended: its tile goes and the others are laid out again. */
    synchronized void remove(String trackSid) {
        VideoTile tile = tiles.remove(trackSid);
        asked.remove(trackSid);
        if (tile != null) {
            tile.hide();
        }
        apply(layout.remove(trackSid));
    }

    /** livekit-server's active speakers, loudest first. */
    synchronized void speakers(List<String> identities) {
        if (!identities.isEmpty()) {
            apply(layout.speaker(identities.get(0)));
        }
    }

    /** The recorder's own metadata changed: UpdateLayout writes {@code {"layout": "<name>"}} there. */
    synchronized void metadata(String metadata) {
        if (metadata == null || metadata.isBlank()) {
            return;
        }
        try {
            JsonNode name = JSON.readTree(metadata).get("layout");
            if (name != null && name.isTextual()) {
                LOG.info("{}: layout {}", egressId, name.asText());
                apply(layout.layout(EgressPlanner.withoutRenderer(name.asText())));
            }
        } catch (IOException e) {
            LOG.debug("{}: recorder metadata is not a layout: {}", egressId, metadata);
        }
    }

    private void apply(Optional<RoomLayout.Frame> frame) {
        frame.ifPresent(this::draw);
    }

    private void draw(RoomLayout.Frame frame) {
        if (inputs == null) {
            return;
        }
        inputs.lightBackground(frame.theme() == CompositeLayout.Theme.LIGHT);
        tiles.forEach((sid, tile) -> {
            CompositeLayout.Rect r = frame.rects().get(sid);
            if (r == null) {
                tile.hide();
            } else {
                tile.place(r.x(), r.y(), r.w(), r.h());
                CompositeLayout.Rect before = asked.put(sid, r);
                if (before == null || before.w() != r.w() || before.h() != r.h()) {
                    sizes.request(sid, r.w(), r.h());
                }
            }
        });
        LOG.debug("{}: stage {}", egressId, frame);
    }
}
