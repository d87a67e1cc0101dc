package org.jegress.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.livekit.AudioCodec;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.EncodingOptionsPreset;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.ParticipantInfo;
import org.jegress.api.livekit.VideoCodec;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;

class RequestFilesTest {

    private static final String ID = "EG_fromfile0001";

    static String resource(String name) {
        try (InputStream in = RequestFilesTest.class.getResourceAsStream("/json/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource json/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static StartEgressRequest parse(RequestFiles.Type type, String file) {
        return RequestFiles.parse(type, resource(file), ID);
    }

    @Test
    void roomCompositeSnakeCase() {
        StartEgressRequest r = parse(RequestFiles.Type.ROOM_COMPOSITE, "room-composite.json");
        assertThat(r.getEgressId()).isEqualTo(ID);
        assertThat(r.getRequestCase()).isEqualTo(StartEgressRequest.RequestCase.ROOM_COMPOSITE);
        assertThat(r.getRoomName()).isEqualTo("my-room");
        assertThat(r.getRoomComposite().getRoomName()).isEqualTo("my-room");
        assertThat(r.getRoomComposite().getLayout()).isEqualTo("speaker-dark");
        assertThat(r.getRoomComposite().getPreset()).isEqualTo(EncodingOptionsPreset.H264_1080P_30);
        assertThat(r.getRoomComposite().getFileOutputs(0).getFileType()).isEqualTo(EncodedFileType.MP4);
        assertThat(r.getRoomComposite().getFileOutputs(0).getS3().getAccessKey()).isEqualTo("AKIAEXAMPLE");
    }

    @Test
    void lowerCamelParsesToTheSameMessage() {
        assertThat(parse(RequestFiles.Type.ROOM_COMPOSITE, "room-composite-camel.json"))
                .isEqualTo(parse(RequestFiles.Type.ROOM_COMPOSITE, "room-composite.json"));
        // and both spellings may be mixed
        assertThat(RequestFiles.parse(RequestFiles.Type.WEB,
                "{\"url\":\"https://e.com\",\"audioOnly\":true,\"await_start_signal\":true}", ID).getWeb())
                .satisfies(w -> {
                    assertThat(w.getAudioOnly()).isTrue();
                    assertThat(w.getAwaitStartSignal()).isTrue();
                });
    }

    @Test
    void web() {
        StartEgressRequest r = parse(RequestFiles.Type.WEB, "web.json");
        assertThat(r.getRequestCase()).isEqualTo(StartEgressRequest.RequestCase.WEB);
        assertThat(r.getRoomName()).isEmpty();
        assertThat(r.getWeb().getUrl()).isEqualTo("https://example.com/dashboard");
        assertThat(r.getWeb().getAwaitStartSignal()).isTrue();
        assertThat(r.getWeb().getAdvanced().getWidth()).isEqualTo(1920);
        assertThat(r.getWeb().getAdvanced().getAudioCodec()).isEqualTo(AudioCodec.OPUS);
        assertThat(r.getWeb().getAdvanced().getVideoCodec()).isEqualTo(VideoCodec.H264_HIGH);
    }

    @Test
    void participant() {
        StartEgressRequest r = parse(RequestFiles.Type.PARTICIPANT, "participant.json");
        assertThat(r.getRequestCase()).isEqualTo(StartEgressRequest.RequestCase.PARTICIPANT);
        assertThat(r.getRoomName()).isEqualTo("my-room");
        assertThat(r.getParticipant().getIdentity()).isEqualTo("david");
        assertThat(r.getParticipant().getScreenShare()).isTrue();
    }

    @Test
    void trackComposite() {
        StartEgressRequest r = parse(RequestFiles.Type.TRACK_COMPOSITE, "track-composite.json");
        assertThat(r.getRequestCase()).isEqualTo(StartEgressRequest.RequestCase.TRACK_COMPOSITE);
        assertThat(r.getRoomName()).isEqualTo("my-room");
        assertThat(r.getTrackComposite().getAudioTrackId()).isEqualTo("TR_AUDIO");
        assertThat(r.getTrackComposite().getVideoTrackId()).isEqualTo("TR_VIDEO");
    }

    @Test
    void track() {
        StartEgressRequest r = parse(RequestFiles.Type.TRACK, "track.json");
        assertThat(r.getRequestCase()).isEqualTo(StartEgressRequest.RequestCase.TRACK);
        assertThat(r.getRoomName()).isEqualTo("my-room");
        assertThat(r.getTrack().getTrackId()).isEqualTo("TR_SKasdXCVgHsei");
        assertThat(r.getTrack().getFile().getFilepath()).isEqualTo("{track_type}-{track_source}-{track_id}");
    }

    @Test
    void egress() {
        StartEgressRequest r = parse(RequestFiles.Type.EGRESS, "egress.json");
        assertThat(r.getRequestCase()).isEqualTo(StartEgressRequest.RequestCase.EGRESS);
        assertThat(r.getRoomName()).isEqualTo("my-room");
        assertThat(r.getEgress().getMedia().getVideoTrackId()).isEqualTo("TR_VIDEO");
        assertThat(r.getEgress().getMedia().getAudio().getRoutes(0).getTrackId()).isEqualTo("TR_AUDIO");
        assertThat(r.getEgress().getMedia().getAudio().getRoutes(0).getChannel())
                .isEqualTo(AudioChannel.AUDIO_CHANNEL_LEFT);
        assertThat(r.getEgress().getMedia().getAudio().getRoutes(1).getParticipantKind())
                .isEqualTo(ParticipantInfo.Kind.AGENT);
        assertThat(r.getEgress().getOutputs(0).getFile().getFileType()).isEqualTo(EncodedFileType.MP4);
        assertThat(r.getEgress().getStorage().getGcp().getBucket()).isEqualTo("gcs-bucket");
    }

    @Test
    void everyRequestFileIsPlannable() {
        EgressPlanner planner = new EgressPlanner(
                ConfigLoader.parse("api_key: k\napi_secret: s\nws_url: wss://lk.example.com\n", Map.of()),
                Clock.fixed(Instant.parse("2022-10-04T01:13:06Z"), ZoneOffset.UTC), ZoneOffset.UTC);
        EgressPlan rc = planner.plan(parse(RequestFiles.Type.ROOM_COMPOSITE, "room-composite.json"));
        assertThat(rc.file().orElseThrow().storagePath()).isEqualTo("recordings/my-room-2022-10-04T011306.mp4");
        assertThat(rc.info().getRoomComposite().getFileOutputs(0).getS3().getSecret()).isEqualTo("{secret}");
        assertThat(planner.plan(parse(RequestFiles.Type.WEB, "web.json")).file().orElseThrow().storagePath())
                .isEqualTo("web/web-2022-10-04T011306.mp4");
        assertThat(planner.plan(parse(RequestFiles.Type.PARTICIPANT, "participant.json")).file().orElseThrow()
                .storagePath()).isEqualTo("my-room/david.mp4");
        assertThat(planner.plan(parse(RequestFiles.Type.TRACK_COMPOSITE, "track-composite.json")).file()
                .orElseThrow().storagePath()).isEqualTo("-{publisher_identity}.mp4");
        assertThat(planner.plan(parse(RequestFiles.Type.TRACK, "track.json")).tracks().trackId())
                .isEqualTo("TR_SKasdXCVgHsei");
        assertThat(planner.plan(parse(RequestFiles.Type.EGRESS, "egress.json")).file().orElseThrow()
                .storagePath()).isEqualTo("media/my-room.mp4");
    }

    @Test
    void unknownFieldIsRejected() {
        assertThatThrownBy(() -> RequestFiles.parse(RequestFiles.Type.ROOM_COMPOSITE,
                "{\"room_name\":\"r\",\"no_such_field\":1}", ID))
                .isInstanceOfSatisfying(EgressException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("could not parse request: ").contains("no_such_field");
                    assertThat(e.getCause()).isNotNull();
                });
        // a field of another request type is unknown too
        assertThatThrownBy(() -> RequestFiles.parse(RequestFiles.Type.WEB, "{\"room_name\":\"r\"}", ID))
                .isInstanceOf(EgressException.class);
    }

    @Test
    void malformedJsonAndBadEnumsAreRejected() {
        for (String bad : new String[] {"{", "[]", "{\"room_name\":5,}", "{\"preset\":\"H265_8K\"}",
            "{\"file_outputs\":{}}"}) {
            assertThatThrownBy(() -> RequestFiles.parse(RequestFiles.Type.ROOM_COMPOSITE, bad, ID))
                    .as(bad)
                    .isInstanceOfSatisfying(EgressException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
    }

    @Test
    void emptyObjectIsAnEmptyRequest() {
        StartEgressRequest r = RequestFiles.parse(RequestFiles.Type.TRACK, "{}", ID);
        assertThat(r.getRequestCase()).isEqualTo(StartEgressRequest.RequestCase.TRACK);
        assertThat(r.getTrack().getTrackId()).isEmpty();
    }

    @Test
    void typeNames() {
        assertThat(RequestFiles.Type.parse("room-composite")).isEqualTo(RequestFiles.Type.ROOM_COMPOSITE);
        assertThat(RequestFiles.Type.parse("room_composite")).isEqualTo(RequestFiles.Type.ROOM_COMPOSITE);
        assertThat(RequestFiles.Type.parse("ROOM_COMPOSITE")).isEqualTo(RequestFiles.Type.ROOM_COMPOSITE);
        assertThat(RequestFiles.Type.parse("web")).isEqualTo(RequestFiles.Type.WEB);
        assertThat(RequestFiles.Type.parse("participant")).isEqualTo(RequestFiles.Type.PARTICIPANT);
        assertThat(RequestFiles.Type.parse("track-composite")).isEqualTo(RequestFiles.Type.TRACK_COMPOSITE);
        assertThat(RequestFiles.Type.parse("track")).isEqualTo(RequestFiles.Type.TRACK);
        assertThat(RequestFiles.Type.parse("egress")).isEqualTo(RequestFiles.Type.EGRESS);
        assertThat(RequestFiles.Type.TRACK_COMPOSITE.cli()).isEqualTo("track-composite");
        assertThatThrownBy(() -> RequestFiles.Type.parse("stream")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stream");
    }

    @Test
    void printUsesSnakeCase() throws Exception {
        EgressInfo info = EgressInfo.newBuilder()
                .setEgressId("EG_1")
                .setRoomName("my-room")
                .setStatus(EgressStatus.EGRESS_ACTIVE)
                .setStartedAt(1_664_845_986_000_000_000L)
                .setErrorCode(0)
                .addFileResults(FileInfo.newBuilder().setFilename("a.mp4"))
                .build();
        String out = RequestFiles.print(info);
        assertThat(out).contains("\"egress_id\"", "\"room_name\"", "\"started_at\"", "\"file_results\"")
                .doesNotContain("egressId", "roomName", "startedAt", "fileResults");
        JsonNode node = new ObjectMapper().readTree(out);
        assertThat(node.get("status").asText()).isEqualTo("EGRESS_ACTIVE");
        // proto3 JSON: int64 as a string, defaults omitted
        assertThat(node.get("started_at").asText()).isEqualTo("1664845986000000000");
        assertThat(node.has("error_code")).isFalse();
        assertThat(node.get("file_results").get(0).get("filename").asText()).isEqualTo("a.mp4");

        EgressInfo.Builder back = EgressInfo.newBuilder();
        JsonFormat.parser().merge(out, back);
        assertThat(back.build()).isEqualTo(info);
    }
}
