package org.jegress.api.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON of upstream {@code pkg/config/manifest.go}: snake_case names, omitempty, trailing newline. */
class ManifestTest {

    private static final Instant NOW = Instant.parse("2022-10-04T01:13:06.5Z");
    private static final long NOW_NS = 1_664_845_986_500_000_000L;
    private static final EgressPlanner PLANNER = new EgressPlanner(
            ConfigLoader.parse("api_key: k\napi_secret: s\nws_url: wss://lk.example.com\n", Map.of()),
            Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC);

    private static EgressPlan plan(StartEgressRequest.Builder req) {
        return PLANNER.plan(req.setEgressId("EG_test").build());
    }

    private static String json(Manifest m) {
        return new String(m.toJson(), StandardCharsets.UTF_8);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static EncodedFileOutput.Builder file() {
        return EncodedFileOutput.newBuilder().setFilepath("out/a.mp4");
    }

    @Test
    void roomCompositeExactJson() {
        EgressPlan p = plan(StartEgressRequest.newBuilder().setRoomId("RM_1").setRoomComposite(
                RoomCompositeEgressRequest.newBuilder().setRoomName("room").setLayout("grid").addFileOutputs(file())));
        Manifest m = Manifest.of(p);
        m.addFile("out/a.mp4", "https://bucket.s3.amazonaws.com/out/a.mp4");
        m.endedAt(NOW_NS + 60_000_000_000L);
        assertThat(json(m)).isEqualTo("{\"egress_id\":\"EG_test\",\"room_id\":\"RM_1\",\"room_name\":\"room\","
                + "\"started_at\":1664845986500000000,\"ended_at\":1664846046500000000,"
                + "\"files\":[{\"filename\":\"out/a.mp4\",\"location\":\"https://bucket.s3.amazonaws.com/out/a.mp4\"}]}"
                + "\n");
    }

    @Test
    void trailingNewlineOnly() {
        byte[] bytes = Manifest.of(plan(StartEgressRequest.newBuilder().setWeb(WebEgressRequest.newBuilder()
                .setUrl("https://example.com").addFileOutputs(file())))).toJson();
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
        assertThat(new String(bytes, StandardCharsets.UTF_8).trim()).doesNotContain("\n");
    }

    @Test
    void webOmitsEmptyFields() throws Exception {
        Manifest m = Manifest.of(plan(StartEgressRequest.newBuilder().setWeb(WebEgressRequest.newBuilder()
                .setUrl("https://example.com/page").addFileOutputs(file()))));
        JsonNode node = new ObjectMapper().readTree(m.toJson());
        // no room, no end time yet, no files yet
        assertThat(names(node)).containsExactly("egress_id", "url", "started_at");
        assertThat(node.get("url").asText()).isEqualTo("https://example.com/page");
        assertThat(node.get("started_at").asLong()).isEqualTo(NOW_NS);
    }

    @Test
    void htmlIsNotEscaped() {
        Manifest m = Manifest.of(plan(StartEgressRequest.newBuilder().setWeb(WebEgressRequest.newBuilder()
                .setUrl("https://example.com/?a=1&b=<x>").addFileOutputs(file()))));
        assertThat(json(m)).contains("\"url\":\"https://example.com/?a=1&b=<x>\"");
    }

    @Test
    void fileEntriesOmitEmptyLocation() {
        Manifest m = Manifest.of(plan(StartEgressRequest.newBuilder().setWeb(WebEgressRequest.newBuilder()
                .setUrl("https://example.com").addFileOutputs(file()))));
        m.addFile("a.mp4", "");
        m.addFile("b.mp4", null);
        m.addFile("c.mp4", "/out/c.mp4");
        assertThat(json(m)).contains("\"files\":[{\"filename\":\"a.mp4\"},{\"filename\":\"b.mp4\"},"
                + "{\"filename\":\"c.mp4\",\"location\":\"/out/c.mp4\"}]");
    }

    @Test
    void participant() throws Exception {
        JsonNode node = new ObjectMapper().readTree(Manifest.of(plan(StartEgressRequest.newBuilder()
                .setParticipant(ParticipantEgressRequest.newBuilder().setRoomName("room").setIdentity("david")
                        .addFileOutputs(file())))).toJson());
        assertThat(names(node)).containsExactly("egress_id", "room_name", "started_at", "publisher_identity");
        assertThat(node.get("publisher_identity").asText()).isEqualTo("david");
    }

    @Test
    void trackComposite() throws Exception {
        JsonNode node = new ObjectMapper().readTree(Manifest.of(plan(StartEgressRequest.newBuilder()
                .setTrackComposite(TrackCompositeEgressRequest.newBuilder().setRoomName("room")
                        .setAudioTrackId("TR_a").setVideoTrackId("TR_v").addFileOutputs(file())))).toJson());
        assertThat(names(node)).containsExactly("egress_id", "room_name", "started_at", "audio_track_id",
                "video_track_id");
        assertThat(node.get("audio_track_id").asText()).isEqualTo("TR_a");
        assertThat(node.get("video_track_id").asText()).isEqualTo("TR_v");
    }

    @Test
    void track() throws Exception {
        JsonNode node = new ObjectMapper().readTree(Manifest.of(plan(StartEgressRequest.newBuilder()
                .setTrack(TrackEgressRequest.newBuilder().setRoomName("room").setTrackId("TR_x")
                        .setFile(DirectFileOutput.newBuilder())))).toJson());
        assertThat(names(node)).containsExactly("egress_id", "room_name", "started_at", "track_id");
        assertThat(node.get("track_id").asText()).isEqualTo("TR_x");
    }

    @Test
    void startedAtCanBeMovedToThePipelineStart() throws Exception {
        Manifest m = Manifest.of(plan(StartEgressRequest.newBuilder().setWeb(WebEgressRequest.newBuilder()
                .setUrl("https://example.com").addFileOutputs(file()))));
        m.startedAt(42L);
        m.endedAt(43L);
        JsonNode node = new ObjectMapper().readTree(m.toJson());
        assertThat(node.get("started_at").asLong()).isEqualTo(42L);
        assertThat(node.get("ended_at").asLong()).isEqualTo(43L);
    }

    @Test
    void fieldOrderFollowsTheGoStruct() {
        Manifest m = Manifest.of(plan(StartEgressRequest.newBuilder().setRoomId("RM_1").setTrackComposite(
                TrackCompositeEgressRequest.newBuilder().setRoomName("room").setAudioTrackId("TR_a")
                        .addFileOutputs(file()))));
        m.endedAt(1L);
        m.addFile("f", "l");
        String s = json(m);
        List<Integer> positions = new ArrayList<>();
        for (String key : new String[] {"egress_id", "room_id", "room_name", "started_at", "ended_at",
            "audio_track_id", "files"}) {
            positions.add(s.indexOf("\"" + key + "\""));
        }
        assertThat(positions).doesNotContain(-1).isSorted();
    }
}
