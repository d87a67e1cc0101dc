package org.jegress.api.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.CpuCostConfig;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.EncodingOptionsPreset;
import org.jegress.api.livekit.ExportReplayRequest;
import org.jegress.api.livekit.MediaSource;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.TemplateSource;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.livekit.WebSource;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The cost table against every request shape, with a distinct cost per key so each mapping is visible. */
class RequestCostTest {

    static final String DISTINCT_COSTS = String.join("\n",
            "cpu_cost:",
            "  room_composite_cpu_cost: 4.1",
            "  audio_room_composite_cpu_cost: 1.1",
            "  sdk_audio_room_composite_cpu_cost: 0.6",
            "  sdk_audio_room_composite_memory_cost: 0.7",
            "  native_room_composite_cpu_cost: 1.7",
            "  memory_cost: 0.3",
            "  web_cpu_cost: 3.9",
            "  audio_web_cpu_cost: 0.9",
            "  participant_cpu_cost: 2.2",
            "  track_composite_cpu_cost: 1.3",
            "  track_cpu_cost: 0.4");

    static final CpuCostConfig COSTS = ConfigLoader.parse(DISTINCT_COSTS, Map.of()).cpuCost();

    private final Admission admission = new Admission(COSTS, 8, Clock.systemUTC());

    static StartEgressRequest.Builder rpc() {
        return StartEgressRequest.newBuilder().setEgressId("EG_test");
    }

    static StartEgressRequest roomComposite(RoomCompositeEgressRequest.Builder rc) {
        return rpc().setRoomComposite(rc.setRoomName("room")).build();
    }

    static StartEgressRequest v2(org.jegress.api.livekit.StartEgressRequest.Builder b) {
        return rpc().setEgress(b.setRoomName("room")).build();
    }

    static StartEgressRequest replay(ExportReplayRequest.Builder b) {
        return rpc().setReplay(b.setReplayId("RP_1")).build();
    }

    static org.jegress.api.livekit.StartEgressRequest.Builder v2() {
        return org.jegress.api.livekit.StartEgressRequest.newBuilder();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // v1 room composite
                Arguments.of("room composite", roomComposite(RoomCompositeEgressRequest.newBuilder()),
                        4.1, 0.3, true, "room_composite"),
                Arguments.of("room composite with layout", roomComposite(RoomCompositeEgressRequest.newBuilder()
                        .setLayout("speaker")), 4.1, 0.3, true, "room_composite"),
                Arguments.of("audio-only room composite with layout", roomComposite(
                        RoomCompositeEgressRequest.newBuilder().setAudioOnly(true).setLayout("grid")),
                        1.1, 0.3, true, "room_composite"),
                Arguments.of("audio-only room composite with custom base url", roomComposite(
                        RoomCompositeEgressRequest.newBuilder().setAudioOnly(true)
                                .setCustomBaseUrl("https://example.com")), 1.1, 0.3, true, "room_composite"),
                Arguments.of("audio-only room composite on the SDK path", roomComposite(
                        RoomCompositeEgressRequest.newBuilder().setAudioOnly(true)), 0.6, 0.7, false,
                        "room_composite"),
                // v1 web, participant, track composite, track
                Arguments.of("web", rpc().setWeb(WebEgressRequest.newBuilder().setUrl("https://a")).build(),
                        3.9, 0.3, true, "web"),
                Arguments.of("audio-only web", rpc().setWeb(WebEgressRequest.newBuilder().setUrl("https://a")
                        .setAudioOnly(true)).build(), 0.9, 0.3, true, "web"),
                Arguments.of("participant", rpc().setParticipant(ParticipantEgressRequest.newBuilder()
                        .setIdentity("p")).build(), 2.2, 0.3, false, "participant"),
                Arguments.of("participant with passthrough preset is still participant", rpc().setParticipant(
                        ParticipantEgressRequest.newBuilder().setPreset(EncodingOptionsPreset.PASSTHROUGH)).build(),
                        2.2, 0.3, false, "participant"),
                Arguments.of("track composite", rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder()
                        .setAudioTrackId("TR_a")).build(), 1.3, 0.3, false, "track_composite"),
                Arguments.of("track", rpc().setTrack(TrackEgressRequest.newBuilder().setTrackId("TR_a")).build(),
                        0.4, 0.3, false, "track"),
                // v2 template
                Arguments.of("v2 template", v2(v2().setTemplate(TemplateSource.newBuilder().setLayout("grid"))),
                        4.1, 0.3, true, "template"),
                Arguments.of("v2 audio-only template with layout", v2(v2().setTemplate(TemplateSource.newBuilder()
                        .setAudioOnly(true).setLayout("grid"))), 1.1, 0.3, true, "template"),
                Arguments.of("v2 audio-only template with custom base url", v2(v2().setTemplate(
                        TemplateSource.newBuilder().setAudioOnly(true).setCustomBaseUrl("https://x"))),
                        1.1, 0.3, true, "template"),
                Arguments.of("v2 audio-only template on the SDK path", v2(v2().setTemplate(
                        TemplateSource.newBuilder().setAudioOnly(true))), 0.6, 0.7, false, "template"),
                // v2 web
                Arguments.of("v2 web", v2(v2().setWeb(WebSource.newBuilder().setUrl("https://a"))),
                        3.9, 0.3, true, "web"),
                Arguments.of("v2 audio-only web", v2(v2().setWeb(WebSource.newBuilder().setUrl("https://a")
                        .setAudioOnly(true))), 0.9, 0.3, true, "web"),
                // v2 media
                Arguments.of("v2 media", v2(v2().setMedia(MediaSource.newBuilder().setVideoTrackId("TR_v"))),
                        2.2, 0.3, false, "media"),
                Arguments.of("v2 media with a transcoding preset", v2(v2().setMedia(MediaSource.newBuilder()
                        .setVideoTrackId("TR_v")).setPreset(EncodingOptionsPreset.H264_1080P_30)),
                        2.2, 0.3, false, "media"),
                Arguments.of("v2 media with advanced encoding", v2(v2().setMedia(MediaSource.newBuilder()
                        .setVideoTrackId("TR_v")).setAdvanced(EncodingOptions.newBuilder().setWidth(640))),
                        2.2, 0.3, false, "media"),
                Arguments.of("v2 media passthrough costs a track", v2(v2().setMedia(MediaSource.newBuilder()
                        .setVideoTrackId("TR_v")).setPreset(EncodingOptionsPreset.PASSTHROUGH)),
                        0.4, 0.3, false, "track"),
                // upstream quirk: the passthrough label wins for any source, the cost follows the source
                Arguments.of("v2 template with passthrough preset", v2(v2().setTemplate(TemplateSource.newBuilder()
                        .setLayout("grid")).setPreset(EncodingOptionsPreset.PASSTHROUGH)), 4.1, 0.3, true, "track"),
                Arguments.of("v2 without a source", v2(v2()), 0.0, 0.3, false, "unknown"),
                // replay is costed like v2
                Arguments.of("replay template", replay(ExportReplayRequest.newBuilder().setTemplate(
                        TemplateSource.newBuilder().setLayout("grid"))), 4.1, 0.3, true, "template"),
                Arguments.of("replay audio-only template on the SDK path", replay(ExportReplayRequest.newBuilder()
                        .setTemplate(TemplateSource.newBuilder().setAudioOnly(true))), 0.6, 0.7, false,
                        "template"),
                Arguments.of("replay web", replay(ExportReplayRequest.newBuilder().setWeb(WebSource.newBuilder()
                        .setUrl("https://a"))), 3.9, 0.3, true, "web"),
                Arguments.of("replay media passthrough", replay(ExportReplayRequest.newBuilder().setMedia(
                        MediaSource.newBuilder().setVideoTrackId("TR_v")).setPreset(
                        EncodingOptionsPreset.PASSTHROUGH)), 0.4, 0.3, false, "track"),
                Arguments.of("replay media", replay(ExportReplayRequest.newBuilder().setMedia(
                        MediaSource.newBuilder().setVideoTrackId("TR_v"))), 2.2, 0.3, false, "media"),
                Arguments.of("no request body", rpc().build(), 0.0, 0.3, false, "unknown"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void costTable(String name, StartEgressRequest request, double cpu, double memory, boolean web, String type) {
        RequestCost cost = admission.costOf(request);
        assertThat(cost.cpu()).as("cpu").isEqualTo(cpu);
        assertThat(cost.staticCpu()).as("static cpu").isEqualTo(cpu);
        assertThat(cost.memoryGb()).as("memory").isEqualTo(memory);
        assertThat(cost.web()).as("web").isEqualTo(web);
        assertThat(cost.requestType()).as("type").isEqualTo(type);
    }

    @Test
    void compositesDrawnWithoutABrowserCostTheirOwn() {
        Admission drawing = new Admission(COSTS, 8, Clock.systemUTC(), ConfigLoader.RENDERER_NATIVE);
        RequestCost grid = drawing.costOf(roomComposite(RoomCompositeEgressRequest.newBuilder().setLayout("grid")));
        assertThat(grid.cpu()).isEqualTo(1.7);
        assertThat(grid.web()).isFalse();
        assertThat(drawing.costOf(v2(v2().setTemplate(TemplateSource.newBuilder().setLayout("speaker")))).cpu())
                .isEqualTo(1.7);
        // a custom page or a chrome: layout still runs Chromium; a native: layout needs no worker default
        assertThat(drawing.costOf(roomComposite(RoomCompositeEgressRequest.newBuilder()
                .setCustomBaseUrl("https://example.com"))).cpu()).isEqualTo(4.1);
        assertThat(drawing.costOf(roomComposite(RoomCompositeEgressRequest.newBuilder().setLayout("chrome:grid")))
                .web()).isTrue();
        assertThat(admission.costOf(roomComposite(RoomCompositeEgressRequest.newBuilder()
                .setLayout("native:grid"))).cpu()).isEqualTo(1.7);
        assertThat(new Admission(ConfigLoader.parse("", Map.of()).cpuCost(), 8, Clock.systemUTC())
                .costOf(roomComposite(RoomCompositeEgressRequest.newBuilder().setLayout("native:grid"))).cpu())
                .isEqualTo(2);
    }

    @Test
    void upstreamDefaults() {
        Admission defaults = new Admission(ConfigLoader.parse("", Map.of()).cpuCost(), 8, Clock.systemUTC());
        assertThat(defaults.costOf(roomComposite(RoomCompositeEgressRequest.newBuilder())).cpu()).isEqualTo(4);
        assertThat(defaults.costOf(roomComposite(RoomCompositeEgressRequest.newBuilder().setAudioOnly(true)))
                .cpu()).isEqualTo(1);
        assertThat(defaults.costOf(rpc().setWeb(WebEgressRequest.getDefaultInstance()).build()).cpu()).isEqualTo(4);
        assertThat(defaults.costOf(rpc().setWeb(WebEgressRequest.newBuilder().setAudioOnly(true)).build()).cpu())
                .isEqualTo(1);
        assertThat(defaults.costOf(rpc().setParticipant(ParticipantEgressRequest.getDefaultInstance()).build())
                .cpu()).isEqualTo(2);
        assertThat(defaults.costOf(rpc().setTrackComposite(TrackCompositeEgressRequest.getDefaultInstance())
                .build()).cpu()).isEqualTo(1);
        assertThat(defaults.costOf(rpc().setTrack(TrackEgressRequest.getDefaultInstance()).build()).cpu())
                .isEqualTo(0.5);
        assertThat(defaults.costOf(roomComposite(RoomCompositeEgressRequest.newBuilder().setAudioOnly(true)))
                .memoryGb()).isZero();
    }

    @Test
    void estimatedCpuReplacesTheStaticCostInTheCheckOnly() {
        RequestCost cost = admission.costOf(rpc().setWeb(WebEgressRequest.getDefaultInstance())
                .setEstimatedCpu(1.25).build());
        assertThat(cost.cpu()).isEqualTo(1.25);
        assertThat(cost.staticCpu()).isEqualTo(3.9);

        RequestCost ignored = admission.costOf(rpc().setWeb(WebEgressRequest.getDefaultInstance())
                .setEstimatedCpu(-2).build());
        assertThat(ignored.cpu()).isEqualTo(3.9);
    }

    @Test
    void coreRequirements() {
        CoreRequirements r = CoreRequirements.of(COSTS);
        assertThat(r.minimum()).isEqualTo(0.4);
        assertThat(r.maximum()).isEqualTo(4.1);
        assertThat(r.recommended()).isEqualTo(4.1);
        assertThat(r.sufficient(0.3)).isFalse();
        assertThat(r.sufficient(1)).isTrue();
        assertThat(r.sufficientForAll(4)).isFalse();
        assertThat(CoreRequirements.of(ConfigLoader.parse("cpu_cost: {room_composite_cpu_cost: 2, "
                + "web_cpu_cost: 2}", Map.of()).cpuCost()).recommended()).isEqualTo(3);
    }
}
