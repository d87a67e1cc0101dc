package org.jegress.api.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.AliOSSUpload;
import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.livekit.AudioCodec;
import org.jegress.api.livekit.AudioConfig;
import org.jegress.api.livekit.AudioMixing;
import org.jegress.api.livekit.AudioRoute;
import org.jegress.api.livekit.AzureBlobUpload;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.EncodingOptionsPreset;
import org.jegress.api.livekit.ExportReplayRequest;
import org.jegress.api.livekit.FileOutput;
import org.jegress.api.livekit.GCPUpload;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.MediaSource;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.ParticipantInfo;
import org.jegress.api.livekit.ParticipantVideo;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.S3Upload;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StorageConfig;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.TemplateSource;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.VideoCodec;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.livekit.WebSource;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

@SuppressWarnings("deprecation")
class EgressPlannerTest {

    /** The seed 001 example time: {time} = 2022-10-04T011306. */
    static final Instant NOW = Instant.parse("2022-10-04T01:13:06.789Z");
    static final long NOW_NS = 1_664_845_986_789_000_000L;
    static final String TIME = "2022-10-04T011306";
    static final String EGRESS_ID = "EG_abcdefghijkl";
    static final String ROOM = "testroom";
    static final String ROOM_ID = "10719607-f7b0-4d82-afe1-06b77e91fe12";
    static final String API_KEY = "APIkey";
    static final String API_SECRET = "a-very-secret-secret-of-32-chars";
    static final String WS_URL = "wss://lk.example.com";

    static final String CONFIG = "api_key: " + API_KEY + "\napi_secret: " + API_SECRET + "\nws_url: " + WS_URL + "\n";

    static EgressConfig config(String yaml) {
        return ConfigLoader.parse(yaml, Map.of());
    }

    static EgressPlanner planner(String yaml) {
        return new EgressPlanner(config(yaml), Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC);
    }

    static EgressPlan plan(StartEgressRequest.Builder request) {
        return planner(CONFIG).plan(request.build());
    }

    static StartEgressRequest.Builder rpc() {
        return StartEgressRequest.newBuilder().setEgressId(EGRESS_ID).setRoomId(ROOM_ID);
    }

    static EncodedFileOutput.Builder file(String path) {
        return EncodedFileOutput.newBuilder().setFilepath(path);
    }

    static EncodedFileOutput.Builder file(EncodedFileType type, String path) {
        return file(path).setFileType(type);
    }

    static RoomCompositeEgressRequest.Builder roomComposite() {
        return RoomCompositeEgressRequest.newBuilder().setRoomName(ROOM).setLayout("grid");
    }

    static StartEgressRequest.Builder roomComposite(RoomCompositeEgressRequest.Builder req) {
        return rpc().setRoomComposite(req);
    }

    static StartEgressRequest.Builder web(WebEgressRequest.Builder req) {
        return StartEgressRequest.newBuilder().setEgressId(EGRESS_ID).setWeb(req);
    }

    static WebEgressRequest.Builder webRequest() {
        return WebEgressRequest.newBuilder().setUrl("https://example.com/page").addFileOutputs(file(""));
    }

    static StartEgressRequest.Builder v2(org.jegress.api.livekit.StartEgressRequest.Builder req) {
        return rpc().setEgress(req);
    }

    static org.jegress.api.livekit.StartEgressRequest.Builder v2Media(MediaSource.Builder media) {
        return org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM).setMedia(media);
    }

    static Output fileOutput(String path) {
        return Output.newBuilder().setFile(FileOutput.newBuilder().setFilepath(path)).build();
    }

    static Output fileOutput(EncodedFileType type, String path) {
        return Output.newBuilder().setFile(FileOutput.newBuilder().setFileType(type).setFilepath(path)).build();
    }

    static Output streamOutput(String url) {
        return Output.newBuilder().setStream(StreamOutput.newBuilder().addUrls(url)).build();
    }

    static AudioConfig.Builder routeTrack(String trackId) {
        return AudioConfig.newBuilder().addRoutes(AudioRoute.newBuilder().setTrackId(trackId));
    }

    static EgressException failure(ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(EgressException.class);
        return (EgressException) t;
    }

    static void assertInvalid(ThrowingCallable call, String field) {
        assertRejected(call, ErrorCode.INVALID_ARGUMENT, "request has missing or invalid field: " + field);
    }

    static void assertRejected(ThrowingCallable call, ErrorCode code, String message) {
        EgressException e = failure(call);
        assertThat(e).hasMessage(message);
        assertThat(e.code()).isEqualTo(code);
    }

    static JsonNode jwtPayload(String token) throws Exception {
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        return new ObjectMapper().readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    // ================================================================================================ validation

    @Nested
    class RequestValidation {

        @Test
        void egressIdIsRequired() {
            assertInvalid(() -> plan(roomComposite(roomComposite().addFileOutputs(file(""))).setEgressId("")),
                    "egressID");
        }

        @Test
        void requestOneofIsRequired() {
            assertInvalid(() -> plan(rpc()), "request");
        }

        @TestFactory
        Stream<DynamicTest> webUrlMustBeHttpOrHttps() {
            return Stream.of("file:///etc/passwd", "ftp://example.com/video", "not a url", "", "example.com",
                    "javascript:alert(1)", "ws://example.com", "//example.com/page", "http://exa mple.com/",
                    "https://example.com/\n", "chrome://settings")
                    .map(url -> DynamicTest.dynamicTest("v1 " + url, () -> assertInvalid(
                            () -> plan(web(webRequest().setUrl(url))), "web url")));
        }

        @TestFactory
        Stream<DynamicTest> v2WebUrlMustBeHttpOrHttps() {
            return Stream.of("file:///etc/passwd", "ftp://example.com/", "not a url")
                    .map(url -> DynamicTest.dynamicTest("v2 " + url, () -> assertInvalid(
                            () -> plan(StartEgressRequest.newBuilder().setEgressId(EGRESS_ID).setEgress(
                                    org.jegress.api.livekit.StartEgressRequest.newBuilder()
                                            .setWeb(WebSource.newBuilder().setUrl(url))
                                            .addOutputs(fileOutput("")))),
                            "web url")));
        }

        @TestFactory
        Stream<DynamicTest> webUrlsGoAccepts() {
            // Go's url.Parse lower-cases the scheme and tolerates characters such as '|', '{}' or spaces
            // outside the host; the request must not be refused for them.
            return Stream.of("https://example.com", "http://localhost:8080/page?x=1#top", "HTTPS://EXAMPLE.COM/",
                    "Http://example.com/", "https://example.com/?fonts=Roboto|Lato&layout={grid}",
                    "https://example.com/a page", "https://user:pw@example.com:8443/p")
                    .map(url -> DynamicTest.dynamicTest(url, () -> {
                        EgressPlan p = plan(web(webRequest().setUrl(url)));
                        assertThat(p.web().url()).isEqualTo(url);
                    }));
        }

        @Test
        void audioOnlyAndVideoOnly() {
            assertInvalid(() -> plan(web(webRequest().setAudioOnly(true).setVideoOnly(true))),
                    "audio_only and video_only");
            assertInvalid(() -> plan(roomComposite(roomComposite().setAudioOnly(true).setVideoOnly(true)
                    .addFileOutputs(file("")))), "audio_only and video_only");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setAudioOnly(true).setVideoOnly(true))
                    .addOutputs(fileOutput("")))), "audio_only and video_only");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder()
                    .setWeb(WebSource.newBuilder().setUrl("https://example.com").setAudioOnly(true)
                            .setVideoOnly(true))
                    .addOutputs(fileOutput("")))), "audio_only and video_only");
        }

        @Test
        void webUrlIsCheckedBeforeAudioVideoFlags() {
            assertInvalid(() -> plan(web(webRequest().setUrl("ftp://x").setAudioOnly(true).setVideoOnly(true))),
                    "web url");
        }

        @Test
        void missingOutput() {
            assertInvalid(() -> plan(web(WebEgressRequest.newBuilder().setUrl("https://example.com"))), "output");
            assertInvalid(() -> plan(roomComposite(roomComposite())), "output");
            assertInvalid(() -> plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .setIdentity("david"))), "output");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid")))), "output");
        }

        @Test
        void multipleFileOutputs() {
            assertInvalid(() -> plan(web(webRequest().addFileOutputs(file("b.mp4")))), "multiple file outputs");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .addOutputs(fileOutput("a.mp4")).addOutputs(fileOutput("b.mp4")))), "multiple file outputs");
        }

        @Test
        void participantNeedsIdentity() {
            assertInvalid(() -> plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .addFileOutputs(file("")))), "identity");
        }

        @Test
        void trackCompositeNeedsATrack() {
            assertInvalid(() -> plan(rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder()
                    .setRoomName(ROOM).addFileOutputs(file("")))), "audio_track_id or video_track_id");
        }

        @Test
        void trackNeedsTrackIdAndOutput() {
            assertInvalid(() -> plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM)
                    .setFile(DirectFileOutput.newBuilder()))), "track_id");
            assertInvalid(() -> plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTrackId("TR_x"))), "output");
        }

        @Test
        void websocketUrlNeedsAWebSocketScheme() {
            assertRejected(() -> plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTrackId("TR_x").setWebsocketUrl("https://example.com/audio"))), ErrorCode.INVALID_ARGUMENT,
                    "invalid url https://example.com/audio: invalid scheme");
        }

        @Test
        void replayIsNotYetSupported() {
            assertRejected(() -> plan(rpc().setReplay(ExportReplayRequest.newBuilder().setReplayId("RP_1"))),
                    ErrorCode.INVALID_ARGUMENT, "replay export is not yet supported");
        }

        @Test
        void v2NeedsSourceAndOutputConfig() {
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .addOutputs(fileOutput("")))), "source");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .addOutputs(Output.getDefaultInstance()))), "output config");
        }

        @Test
        void v2MediaNeedsAudioOrVideo() {
            assertInvalid(() -> plan(v2(v2Media(MediaSource.newBuilder()).addOutputs(fileOutput("")))),
                    "audio or video");
            // an audio block selecting nothing does not enable audio
            assertInvalid(() -> plan(v2(v2Media(MediaSource.newBuilder().setAudio(AudioConfig.newBuilder()))
                    .addOutputs(fileOutput("")))), "audio or video");
        }

        @Test
        void templateBaseUrlMustBeHttp() {
            assertInvalid(() -> plan(roomComposite(roomComposite().setCustomBaseUrl("ftp://templates.example.com")
                    .addFileOutputs(file("")))), "template base url");
            assertInvalid(() -> planner(CONFIG + "template_base: file:///tmp/templates/\n")
                    .plan(roomComposite(roomComposite().addFileOutputs(file(""))).build()), "template base url");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setCustomBaseUrl("not a url"))
                    .addOutputs(fileOutput("")))), "template base url");
        }

        @Test
        void customBaseUrlOverridesConfiguredTemplateBase() {
            EgressPlan p = planner(CONFIG + "template_base: file:///tmp/templates/\n").plan(
                    roomComposite(roomComposite().setCustomBaseUrl("https://templates.example.com/")
                            .addFileOutputs(file(""))).build());
            assertThat(p.web()).isEqualTo(new WebSourcePlan("https://templates.example.com/", "grid", true));
        }

        @Test
        void imageWithAudioOnly() {
            assertInvalid(() -> plan(web(webRequest().setAudioOnly(true)
                    .addImageOutputs(ImageOutput.newBuilder()))), "audio_only images");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder()
                    .setWeb(WebSource.newBuilder().setUrl("https://example.com").setAudioOnly(true))
                    .addOutputs(Output.newBuilder().setImages(ImageOutput.newBuilder())))), "audio_only images");
        }
    }

    // ================================================================================================ connection

    @Nested
    class ConnectionInfo {

        @Test
        void roomCompositeWithoutKeysOrToken() {
            assertInvalid(() -> planner("ws_url: " + WS_URL + "\n")
                    .plan(roomComposite(roomComposite().addFileOutputs(file(""))).build()),
                    "token or api key/secret");
            assertInvalid(() -> planner("api_key: k\nws_url: " + WS_URL + "\n")
                    .plan(roomComposite(roomComposite().addFileOutputs(file(""))).build()),
                    "token or api key/secret");
        }

        @Test
        void keysWithoutRoomNameCannotMintAToken() {
            assertInvalid(() -> plan(roomComposite(roomComposite().setRoomName("").addFileOutputs(file("")))),
                    "token or api key/secret");
        }

        @Test
        void keysWithoutWsUrl() {
            assertInvalid(() -> planner("api_key: k\napi_secret: s\n")
                    .plan(roomComposite(roomComposite().addFileOutputs(file(""))).build()), "ws_url");
        }

        @Test
        void requestTokenAndWsUrlNeedNoConfig() {
            EgressPlan p = planner("").plan(roomComposite(roomComposite().addFileOutputs(file("")))
                    .setToken("caller-token").setWsUrl("wss://other.example.com").build());
            assertThat(p.room()).isEqualTo(new RoomPlan(ROOM, ROOM_ID, "caller-token", "wss://other.example.com"));
        }

        @Test
        void requestValuesWinOverConfig() {
            EgressPlan p = plan(roomComposite(roomComposite().addFileOutputs(file("")))
                    .setToken("caller-token").setWsUrl("wss://other.example.com"));
            assertThat(p.room().token()).isEqualTo("caller-token");
            assertThat(p.room().wsUrl()).isEqualTo("wss://other.example.com");
        }

        @Test
        void mintsARecorderTokenForTheRoom() throws Exception {
            EgressPlan p = plan(roomComposite(roomComposite().addFileOutputs(file(""))));
            assertThat(p.room().roomName()).isEqualTo(ROOM);
            assertThat(p.room().roomId()).isEqualTo(ROOM_ID);
            assertThat(p.room().wsUrl()).isEqualTo(WS_URL);
            JsonNode claims = jwtPayload(p.room().token());
            assertThat(claims.get("iss").asText()).isEqualTo(API_KEY);
            assertThat(claims.get("sub").asText()).isEqualTo(EGRESS_ID);
            assertThat(claims.get("iat").asLong()).isEqualTo(NOW.getEpochSecond());
            assertThat(claims.get("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 86_400);
            assertThat(claims.get("video").get("room").asText()).isEqualTo(ROOM);
        }

        @Test
        void webEgressNeedsNoRoom() {
            EgressPlan p = planner("").plan(web(webRequest()).build());
            assertThat(p.room()).isNull();
        }

        @Test
        void everySdkRequestNeedsConnectionInfo() {
            assertInvalid(() -> planner("").plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder()
                    .setRoomName(ROOM).setIdentity("david").addFileOutputs(file(""))).build()),
                    "token or api key/secret");
            assertInvalid(() -> planner("").plan(v2(v2Media(MediaSource.newBuilder().setVideoTrackId("TR_v"))
                    .addOutputs(fileOutput(""))).build()), "token or api key/secret");
        }
    }

    // ================================================================================================ encoding

    @Nested
    class Encoding {

        private VideoPlan videoOf(EncodingOptionsPreset preset) {
            return plan(web(webRequest().setPreset(preset))).video();
        }

        @Test
        void defaults() {
            EgressPlan p = plan(web(webRequest()));
            VideoPlan v = p.video();
            assertThat(v.width()).isEqualTo(1280);
            assertThat(v.height()).isEqualTo(720);
            assertThat(v.framerate()).isEqualTo(30);
            assertThat(v.bitrateKbps()).isEqualTo(3000);
            assertThat(v.profile()).isEqualTo(VideoProfile.MAIN);
            assertThat(v.depth()).isEqualTo(24);
            assertThat(v.keyFrameIntervalSec()).isZero();
            assertThat(p.audio().bitrateKbps()).isEqualTo(128);
            assertThat(p.audio().frequency()).isEqualTo(44_100);
            assertThat(p.audio().mixing()).isEqualTo(AudioMixing.DEFAULT_MIXING);
        }

        @Test
        void emptyAdvancedKeepsDefaults() {
            EgressPlan p = plan(web(webRequest().setAdvanced(EncodingOptions.getDefaultInstance())));
            assertThat(p.video()).isEqualTo(plan(web(webRequest())).video());
            assertThat(p.audio()).isEqualTo(plan(web(webRequest())).audio());
        }

        @TestFactory
        Stream<DynamicTest> presets() {
            Object[][] table = {
                {EncodingOptionsPreset.H264_720P_30, 1280, 720, 30, 3000},
                {EncodingOptionsPreset.H264_720P_60, 1280, 720, 60, 4500},
                {EncodingOptionsPreset.H264_1080P_30, 1920, 1080, 30, 4500},
                {EncodingOptionsPreset.H264_1080P_60, 1920, 1080, 60, 6000},
                {EncodingOptionsPreset.PORTRAIT_H264_720P_30, 720, 1280, 30, 3000},
                {EncodingOptionsPreset.PORTRAIT_H264_720P_60, 720, 1280, 60, 4500},
                {EncodingOptionsPreset.PORTRAIT_H264_1080P_30, 1080, 1920, 30, 4500},
                {EncodingOptionsPreset.PORTRAIT_H264_1080P_60, 1080, 1920, 60, 6000},
            };
            assertThat(table.length).isEqualTo(EncodingOptionsPreset.values().length - 2); // all but PASSTHROUGH, UNRECOGNIZED
            return Stream.of(table).map(row -> DynamicTest.dynamicTest(row[0].toString(), () -> {
                EgressPlan p = plan(web(webRequest().setPreset((EncodingOptionsPreset) row[0])));
                assertThat(p.video().width()).isEqualTo(row[1]);
                assertThat(p.video().height()).isEqualTo(row[2]);
                assertThat(p.video().framerate()).isEqualTo(row[3]);
                assertThat(p.video().bitrateKbps()).isEqualTo(row[4]);
                // presets only touch video
                assertThat(p.video().profile()).isEqualTo(VideoProfile.MAIN);
                assertThat(p.video().depth()).isEqualTo(24);
                assertThat(p.audio().bitrateKbps()).isEqualTo(128);
                assertThat(p.audio().frequency()).isEqualTo(44_100);
                assertThat(p.audio().codec()).isEqualTo(MediaType.AAC);
                assertThat(p.video().codec()).isEqualTo(MediaType.H264);
                assertThat(p.passthrough()).isFalse();
            }));
        }

        @Test
        void unknownPresetNumberKeepsTheDefaults() {
            // a preset added by a newer protocol is ignored, as the Go switch does
            EgressPlan p = plan(web(webRequest().setPresetValue(99)));
            assertThat(p.video().width()).isEqualTo(1280);
            assertThat(p.video().height()).isEqualTo(720);
            assertThat(p.video().framerate()).isEqualTo(30);
            assertThat(p.video().bitrateKbps()).isEqualTo(3000);
            assertThat(p.passthrough()).isFalse();
        }

        @Test
        void passthroughPresetOnV2Media() {
            EgressPlan p = plan(v2(v2Media(MediaSource.newBuilder().setVideoTrackId("TR_v"))
                    .setPreset(EncodingOptionsPreset.PASSTHROUGH).addOutputs(fileOutput(""))));
            assertThat(p.passthrough()).isTrue();
            assertThat(p.video().decoding()).isFalse();
            assertThat(p.video().encoding()).isFalse();
            // dimensions stay at their defaults: nothing is encoded
            assertThat(p.video().width()).isEqualTo(1280);
        }

        @Test
        void advancedValues() {
            EgressPlan p = plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setWidth(1920).setHeight(1080).setDepth(16).setFramerate(25).setVideoBitrate(5000)
                    .setAudioBitrate(96).setAudioFrequency(48_000).setKeyFrameInterval(2.5)
                    .setAudioCodec(AudioCodec.OPUS).setVideoCodec(VideoCodec.H264_HIGH))));
            VideoPlan v = p.video();
            assertThat(v).isEqualTo(new VideoPlan(true, true, true, MediaType.H264, VideoProfile.HIGH, 1920, 1080,
                    16, 25, 5000, 2.5));
            assertThat(p.audio()).isEqualTo(new AudioPlan(true, true, MediaType.OPUS, 96, 48_000,
                    AudioMixing.DEFAULT_MIXING));
            assertThat(p.audio().encoderRate()).isEqualTo(48_000);
        }

        @Test
        void profiles() {
            assertThat(profileOf(VideoCodec.H264_BASELINE)).isEqualTo(VideoProfile.BASELINE);
            assertThat(profileOf(VideoCodec.H264_MAIN)).isEqualTo(VideoProfile.MAIN);
            assertThat(profileOf(VideoCodec.H264_HIGH)).isEqualTo(VideoProfile.HIGH);
            assertThat(profileOf(VideoCodec.DEFAULT_VC)).isEqualTo(VideoProfile.MAIN);
            // VP8 is accepted and ignored: H.264 main is what gets encoded
            assertThat(profileOf(VideoCodec.VP8)).isEqualTo(VideoProfile.MAIN);
            assertThat(plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setVideoCodec(VideoCodec.VP8)))).video().codec()).isEqualTo(MediaType.H264);
            assertThat(VideoProfile.BASELINE.caps()).isEqualTo("baseline");
            assertThat(VideoProfile.MAIN.caps()).isEqualTo("main");
            assertThat(VideoProfile.HIGH.caps()).isEqualTo("high");
        }

        private VideoProfile profileOf(VideoCodec codec) {
            return plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setVideoCodec(codec))))
                    .video().profile();
        }

        @Test
        void widthAndHeightMustBeEvenAndAtLeast16() {
            for (int bad : new int[] {1281, 14, 2, 15, 17}) {
                assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(bad)))),
                        "width");
                assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                        .setHeight(bad)))), "height");
            }
            EgressPlan p = plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(16)
                    .setHeight(16))));
            assertThat(p.video().width()).isEqualTo(16);
            assertThat(p.video().height()).isEqualTo(16);
        }

        @Test
        void zeroSizesKeepTheDefaults() {
            EgressPlan p = plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(0)
                    .setHeight(0))));
            assertThat(p.video().width()).isEqualTo(1280);
            assertThat(p.video().height()).isEqualTo(720);
        }

        @Test
        void valuesNoCaptureOrEncoderCanHonourAreRefusedUpFront() {
            // upstream ignores a negative width and fails 35 s later in the browser for width 100000
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(-5)))),
                    "width");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(100000)))),
                    "width");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setHeight(-2)))),
                    "height");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(4096)
                    .setHeight(4096)))), "width");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setFramerate(100000)))), "framerate");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setVideoBitrate(-1)))), "video_bitrate");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setAudioBitrate(100000)))), "audio_bitrate");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setAudioFrequency(12345)))), "audio_frequency");
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setKeyFrameInterval(-1)))), "key_frame_interval");
            assertThat(plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(3840)
                    .setHeight(2160).setFramerate(60)))).video().width()).isEqualTo(3840);
        }

        @Test
        void depth() {
            for (int bad : new int[] {1, 4, 12, 32, -8}) {
                assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setDepth(bad)))),
                        "depth");
            }
            for (int ok : new int[] {8, 16, 24}) {
                assertThat(plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setDepth(ok))))
                        .video().depth()).isEqualTo(ok);
            }
        }

        @Test
        void widthIsValidatedBeforeDepth() {
            assertInvalid(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder().setWidth(3)
                    .setDepth(3)))), "width");
        }

        @Test
        void passthroughPresetOnTranscodingRequests() {
            assertInvalid(() -> plan(web(webRequest().setPreset(EncodingOptionsPreset.PASSTHROUGH))), "preset");
            assertInvalid(() -> plan(roomComposite(roomComposite().setPreset(EncodingOptionsPreset.PASSTHROUGH)
                    .addFileOutputs(file("")))), "preset");
            assertInvalid(() -> plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .setIdentity("david").setPreset(EncodingOptionsPreset.PASSTHROUGH).addFileOutputs(file("")))),
                    "preset");
            assertInvalid(() -> plan(rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder()
                    .setRoomName(ROOM).setVideoTrackId("TR_v").setPreset(EncodingOptionsPreset.PASSTHROUGH)
                    .addFileOutputs(file("")))), "preset");
        }
    }

    // ================================================================================================ codecs

    @Nested
    class OutputCodecs {

        private EgressPlan audioOnlyWeb(EncodedFileType type, AudioCodec codec) {
            WebEgressRequest.Builder req = WebEgressRequest.newBuilder().setUrl("https://example.com")
                    .setAudioOnly(true).addFileOutputs(file(type, ""));
            if (codec != null) {
                req.setAdvanced(EncodingOptions.newBuilder().setAudioCodec(codec));
            }
            return plan(web(req));
        }

        private void assertFile(EgressPlan p, OutputType type, MediaType audio, MediaType video) {
            assertThat(p.files()).hasSize(1);
            assertThat(p.file().orElseThrow().type()).isEqualTo(type);
            assertThat(p.file().orElseThrow().storagePath()).endsWith(type.extension());
            assertThat(p.audio().codec()).isEqualTo(audio);
            assertThat(p.video().codec()).isEqualTo(video);
        }

        @Test
        void audioOnlyDefaultFileTypeFollowsTheCodec() {
            assertFile(audioOnlyWeb(EncodedFileType.DEFAULT_FILETYPE, null), OutputType.OGG, MediaType.OPUS, null);
            assertFile(audioOnlyWeb(EncodedFileType.DEFAULT_FILETYPE, AudioCodec.OPUS), OutputType.OGG,
                    MediaType.OPUS, null);
            assertFile(audioOnlyWeb(EncodedFileType.DEFAULT_FILETYPE, AudioCodec.AAC), OutputType.MP4,
                    MediaType.AAC, null);
            assertFile(audioOnlyWeb(EncodedFileType.DEFAULT_FILETYPE, AudioCodec.AC_MP3), OutputType.MP3,
                    MediaType.MP3, null);
        }

        @Test
        void audioOnlyExplicitFileTypes() {
            assertFile(audioOnlyWeb(EncodedFileType.MP4, null), OutputType.MP4, MediaType.AAC, null);
            assertFile(audioOnlyWeb(EncodedFileType.OGG, null), OutputType.OGG, MediaType.OPUS, null);
            assertFile(audioOnlyWeb(EncodedFileType.MP3, null), OutputType.MP3, MediaType.MP3, null);
            assertFile(audioOnlyWeb(EncodedFileType.MP4, AudioCodec.OPUS), OutputType.MP4, MediaType.OPUS, null);
        }

        @Test
        void videoDefaultsToMp4WithAacAndH264() {
            assertFile(plan(web(webRequest())), OutputType.MP4, MediaType.AAC, MediaType.H264);
            assertFile(plan(roomComposite(roomComposite().addFileOutputs(file(EncodedFileType.MP4, "")))),
                    OutputType.MP4, MediaType.AAC, MediaType.H264);
            EgressPlan videoOnly = plan(web(webRequest().setVideoOnly(true)));
            assertFile(videoOnly, OutputType.MP4, null, MediaType.H264);
            assertThat(videoOnly.audio().enabled()).isFalse();
        }

        @Test
        void videoWithOpusStaysMp4() {
            assertFile(plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setAudioCodec(AudioCodec.OPUS)))), OutputType.MP4, MediaType.OPUS, MediaType.H264);
        }

        @Test
        void mp3FileWithVideo() {
            String message = "format audio/mpeg incompatible with codec video/h264";
            assertRejected(() -> plan(web(WebEgressRequest.newBuilder().setUrl("https://example.com")
                    .addFileOutputs(file(EncodedFileType.MP3, "")))), ErrorCode.INVALID_ARGUMENT, message);
            assertRejected(() -> plan(web(WebEgressRequest.newBuilder().setUrl("https://example.com")
                    .addFileOutputs(file(EncodedFileType.MP3, "")).setAdvanced(EncodingOptions.newBuilder()
                            .setAudioCodec(AudioCodec.AC_MP3).setVideoCodec(VideoCodec.H264_MAIN)))),
                    ErrorCode.INVALID_ARGUMENT, message);
        }

        @Test
        void oggWithAac() {
            assertRejected(() -> audioOnlyWeb(EncodedFileType.OGG, AudioCodec.AAC), ErrorCode.INVALID_ARGUMENT,
                    "format audio/ogg incompatible with codec audio/aac");
        }

        @Test
        void mp4WithMp3Codec() {
            assertRejected(() -> audioOnlyWeb(EncodedFileType.MP4, AudioCodec.AC_MP3), ErrorCode.INVALID_ARGUMENT,
                    "format video/mp4 incompatible with codec audio/mpeg");
        }

        @Test
        void videoRequestWithMp3CodecHasNoFileType() {
            assertRejected(() -> plan(web(webRequest().setAdvanced(EncodingOptions.newBuilder()
                    .setAudioCodec(AudioCodec.AC_MP3)))), ErrorCode.INVALID_ARGUMENT,
                    "no supported file output type is compatible with the selected codecs");
        }

        @Test
        void opusIsEncodedAt48k() {
            EgressPlan p = audioOnlyWeb(EncodedFileType.DEFAULT_FILETYPE, null);
            assertThat(p.audio().encoderRate()).isEqualTo(48_000);
            assertThat(audioOnlyWeb(EncodedFileType.MP4, null).audio().encoderRate()).isEqualTo(44_100);
        }
    }

    // ================================================================================================ sources

    @Nested
    class Sources {

        @Test
        void roomCompositeWithLayoutUsesChrome() {
            EgressPlan p = plan(roomComposite(roomComposite().setLayout("speaker-dark")
                    .setAudioMixing(AudioMixing.DUAL_CHANNEL_AGENT).addFileOutputs(file(""))));
            assertThat(p.requestType()).isEqualTo(RequestType.ROOM_COMPOSITE);
            assertThat(p.sourceKind()).isEqualTo(SourceKind.WEB);
            assertThat(p.web()).isEqualTo(new WebSourcePlan("http://localhost:7980/", "speaker-dark", true));
            assertThat(p.tracks()).isNull();
            // audio mixing is only honoured by the SDK source
            assertThat(p.audio().mixing()).isEqualTo(AudioMixing.DEFAULT_MIXING);
            assertThat(p.audio().enabled()).isTrue();
            assertThat(p.video().enabled()).isTrue();
            assertThat(p.video().encoding()).isTrue();
        }

        @Test
        void audioOnlyRoomCompositeWithoutLayoutUsesTheSdk() {
            EgressPlan p = plan(roomComposite(roomComposite().setLayout("").setAudioOnly(true)
                    .setAudioMixing(AudioMixing.DUAL_CHANNEL_ALTERNATE).addFileOutputs(file(""))));
            assertThat(p.sourceKind()).isEqualTo(SourceKind.SDK);
            assertThat(p.web()).isNull();
            assertThat(p.tracks()).isNotNull();
            assertThat(p.audio().mixing()).isEqualTo(AudioMixing.DUAL_CHANNEL_ALTERNATE);
            assertThat(p.video().enabled()).isFalse();
            assertThat(p.info().getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_SDK);
        }

        @Test
        void audioOnlyRoomCompositeWithCustomBaseUrlUsesChrome() {
            EgressPlan p = plan(roomComposite(roomComposite().setLayout("").setAudioOnly(true)
                    .setCustomBaseUrl("https://t.example.com/").addFileOutputs(file(""))));
            assertThat(p.sourceKind()).isEqualTo(SourceKind.WEB);
        }

        @Test
        void theNativeRendererDrawsRoomCompositesFromTheRoomsTracksUnlessTheRequestSaysOtherwise() {
            EgressPlanner natively = planner(CONFIG + "room_composite_renderer: native\n");
            EgressPlan p = natively.plan(roomComposite(roomComposite().setLayout("speaker-light")
                    .addFileOutputs(file(""))).build());
            assertThat(p.sourceKind()).isEqualTo(SourceKind.SDK);
            assertThat(p.web()).isNull();
            assertThat(p.tracks().layout()).isEqualTo("speaker-light");
            assertThat(p.video().enabled()).isTrue();
            assertThat(p.audio().enabled()).isTrue();
            assertThat(p.info().getRoomComposite().getLayout()).isEqualTo("speaker-light");
            // a custom page always needs Chromium; so does a chrome: layout, which reaches the page without its prefix
            assertThat(natively.plan(roomComposite(roomComposite().setCustomBaseUrl("https://t.example.com/")
                    .addFileOutputs(file(""))).build()).sourceKind()).isEqualTo(SourceKind.WEB);
            EgressPlan chrome = natively.plan(roomComposite(roomComposite().setLayout("chrome:grid-light")
                    .addFileOutputs(file(""))).build());
            assertThat(chrome.sourceKind()).isEqualTo(SourceKind.WEB);
            assertThat(chrome.web().layout()).isEqualTo("grid-light");
            // and the default worker draws with Chromium unless the layout asks for native
            assertThat(plan(roomComposite(roomComposite().setLayout("grid").addFileOutputs(file(""))))
                    .sourceKind()).isEqualTo(SourceKind.WEB);
            EgressPlan asked = plan(roomComposite(roomComposite().setLayout("NATIVE:single-speaker")
                    .addFileOutputs(file(""))));
            assertThat(asked.sourceKind()).isEqualTo(SourceKind.SDK);
            assertThat(asked.tracks().layout()).isEqualTo("single-speaker");
            assertThat(EgressPlanner.withoutRenderer(" native:grid")).isEqualTo("grid");
        }

        @Test
        void web() {
            EgressPlan p = plan(EgressPlannerTest.web(webRequest().setAwaitStartSignal(true)));
            assertThat(p.requestType()).isEqualTo(RequestType.WEB);
            assertThat(p.sourceKind()).isEqualTo(SourceKind.WEB);
            assertThat(p.web()).isEqualTo(new WebSourcePlan("https://example.com/page", "", true));
            assertThat(plan(EgressPlannerTest.web(webRequest())).web().awaitStartSignal()).isFalse();
        }

        @Test
        void participant() {
            EgressPlan p = plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .setIdentity("david").setScreenShare(true).addFileOutputs(file(""))));
            assertThat(p.requestType()).isEqualTo(RequestType.PARTICIPANT);
            assertThat(p.sourceKind()).isEqualTo(SourceKind.SDK);
            assertThat(p.tracks().identity()).isEqualTo("david");
            assertThat(p.tracks().screenShare()).isTrue();
            assertThat(p.audio().enabled()).isTrue();
            assertThat(p.video().enabled()).isTrue();
            assertThat(p.video().encoding()).isTrue();
        }

        @Test
        void trackComposite() {
            EgressPlan p = plan(rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder().setRoomName(ROOM)
                    .setAudioTrackId("TR_a").addFileOutputs(file(""))));
            assertThat(p.requestType()).isEqualTo(RequestType.TRACK_COMPOSITE);
            assertThat(p.tracks().audioTrackId()).isEqualTo("TR_a");
            assertThat(p.tracks().videoTrackId()).isEmpty();
            assertThat(p.audio().enabled()).isTrue();
            assertThat(p.video().enabled()).isFalse();
            assertThat(p.file().orElseThrow().type()).isEqualTo(OutputType.OGG);
        }

        @Test
        void track() {
            EgressPlan p = plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM).setTrackId("TR_x")
                    .setFile(DirectFileOutput.newBuilder().setFilepath("{track_id}-{time}"))));
            assertThat(p.requestType()).isEqualTo(RequestType.TRACK);
            assertThat(p.passthrough()).isTrue();
            assertThat(p.tracks().trackId()).isEqualTo("TR_x");
            // the container depends on the track's codec, known once subscribed
            assertThat(p.file().orElseThrow().type()).isEqualTo(OutputType.UNKNOWN_FILE);
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("{track_id}-" + TIME);
            assertThat(p.info().getFileResults(0).getFilename()).isEmpty();
        }

        @Test
        void trackPathIsCompletedOnceTheTrackIsKnown() {
            EgressPlan p = plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM).setTrackId("TR_x")
                    .setFile(DirectFileOutput.newBuilder().setFilepath("t_{track_source}_{track_type}_{time}"))));
            EgressPlan resolved = p.withTracks(OutputType.OGG, Map.of("{track_source}", "microphone",
                    "{track_type}", "audio", "{track_id}", "TR_x"), p.audio(), p.video());
            assertThat(resolved.file().orElseThrow().type()).isEqualTo(OutputType.OGG);
            assertThat(resolved.file().orElseThrow().storagePath()).isEqualTo("t_microphone_audio_" + TIME + ".ogg");
            assertThat(resolved.info().getFileResults(0).getFilename()).isEqualTo(
                    "t_microphone_audio_" + TIME + ".ogg");
            assertThat(resolved.info().getFile().getFilename()).isEqualTo("t_microphone_audio_" + TIME + ".ogg");
        }

        @Test
        void generatedTrackFileNameStartsWithTheTrackId() {
            EgressPlan p = plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM).setTrackId("TR_x")
                    .setFile(DirectFileOutput.newBuilder().setFilepath("tracks/"))));
            assertThat(p.withTracks(OutputType.WEBM, Map.of(), p.audio(), p.video()).file().orElseThrow()
                    .storagePath()).isEqualTo("tracks/TR_x-" + TIME + ".webm");
        }

        @Test
        void trackCompositePublisherIdentityWaitsForTheRoom() {
            EgressPlan p = plan(rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder().setRoomName(ROOM)
                    .setVideoTrackId("TR_v").addFileOutputs(file("tc_{publisher_identity}_{time}"))));
            assertThat(p.file().orElseThrow().resolved()).isFalse();
            assertThat(p.withTracks(null, Map.of("{publisher_identity}", "alice"), p.audio(), p.video()).file()
                    .orElseThrow().storagePath()).isEqualTo("tc_alice_" + TIME + ".mp4");
        }

        @Test
        void participantFileNamesUseTheIdentity() {
            EgressPlan p = plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .setIdentity("david").addFileOutputs(file("p/"))));
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("p/david-" + TIME + ".mp4");
            EgressPlan named = plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .setIdentity("david").addFileOutputs(file("{publisher_identity}_{room_name}"))));
            assertThat(named.file().orElseThrow().storagePath()).isEqualTo("david_testroom.mp4");
            assertThat(named.file().orElseThrow().resolved()).isTrue();
        }

        @Test
        void trackWebsocket() {
            EgressPlan p = plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM).setTrackId("TR_x")
                    .setWebsocketUrl("wss://example.com/audio")));
            assertThat(p.webSocket()).contains(new WebSocketPlan("wss://example.com/audio"));
            assertThat(p.files()).isEmpty();
            assertThat(p.info().getStreamResultsList()).hasSize(1);
            assertThat(p.info().getStreamResults(0).getUrl()).isEqualTo("wss://example.com/audio");
            assertThat(p.info().getStreamResults(0).getStartedAt()).isEqualTo(NOW_NS);
            assertThat(p.info().getStream().getInfoList()).isEqualTo(p.info().getStreamResultsList());
        }

        @Test
        void v2WebSocketStreamCarriesAudioOnly() {
            EgressPlan p = plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setMedia(MediaSource.newBuilder().setParticipantVideo(ParticipantVideo.newBuilder()
                            .setIdentity("alice")).setAudio(AudioConfig.newBuilder().setCaptureAll(true)))
                    .addOutputs(streamOutput("ws://127.0.0.1:9/audio"))));
            assertThat(p.webSocket()).isPresent();
            assertThat(p.audio().enabled()).isTrue();
            assertThat(p.audio().codec()).isEqualTo(MediaType.RAW_AUDIO);
            assertThat(p.video().enabled()).isFalse();
        }

        @Test
        void v2Template() {
            EgressPlan p = plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid-light")).addOutputs(fileOutput(""))));
            assertThat(p.requestType()).isEqualTo(RequestType.TEMPLATE);
            assertThat(p.sourceKind()).isEqualTo(SourceKind.WEB);
            assertThat(p.web()).isEqualTo(new WebSourcePlan("http://localhost:7980/", "grid-light", true));
            assertThat(p.info().getRoomName()).isEqualTo(ROOM);
        }

        @Test
        void v2MediaRoutes() {
            EgressPlan p = plan(v2(v2Media(MediaSource.newBuilder()
                    .setParticipantVideo(ParticipantVideo.newBuilder().setIdentity("david")
                            .setPreferScreenShare(true))
                    .setAudio(AudioConfig.newBuilder()
                            .addRoutes(AudioRoute.newBuilder().setTrackId("TR_a")
                                    .setChannel(AudioChannel.AUDIO_CHANNEL_LEFT))
                            .addRoutes(AudioRoute.newBuilder().setParticipantIdentity("agent-1")
                                    .setChannel(AudioChannel.AUDIO_CHANNEL_RIGHT))
                            .addRoutes(AudioRoute.newBuilder().setParticipantKind(ParticipantInfo.Kind.AGENT))))
                    .addOutputs(fileOutput(""))));
            assertThat(p.requestType()).isEqualTo(RequestType.MEDIA);
            assertThat(p.sourceKind()).isEqualTo(SourceKind.SDK);
            assertThat(p.tracks().identity()).isEqualTo("david");
            assertThat(p.tracks().screenShare()).isTrue();
            assertThat(p.tracks().captureAllAudio()).isFalse();
            assertThat(p.tracks().audioRoutes()).containsExactly(
                    new TrackSelection.AudioRoute("TR_a", "", null, AudioChannel.AUDIO_CHANNEL_LEFT),
                    new TrackSelection.AudioRoute("", "agent-1", null, AudioChannel.AUDIO_CHANNEL_RIGHT),
                    new TrackSelection.AudioRoute("", "", ParticipantInfo.Kind.AGENT,
                            AudioChannel.AUDIO_CHANNEL_BOTH));
            assertThat(p.audio().transcoding()).isTrue();
            assertThat(p.video().decoding()).isTrue();
            assertThat(p.video().encoding()).isTrue();
        }

        @Test
        void v2MediaCaptureAll() {
            EgressPlan p = plan(v2(v2Media(MediaSource.newBuilder()
                    .setAudio(AudioConfig.newBuilder().setCaptureAll(true)))
                    .addOutputs(fileOutput(""))));
            assertThat(p.tracks().captureAllAudio()).isTrue();
            assertThat(p.video().enabled()).isFalse();
            assertThat(p.file().orElseThrow().type()).isEqualTo(OutputType.OGG);
        }

        @Test
        void v2RoomNameOnlyOverridesWhenSet() {
            EgressPlan p = plan(v2(v2Media(MediaSource.newBuilder().setVideoTrackId("TR_v")).setRoomName("")
                    .addOutputs(fileOutput(""))).setRoomName("from-server"));
            assertThat(p.info().getRoomName()).isEqualTo("from-server");
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("from-server-" + TIME + ".mp4");
        }
    }

    // ================================================================================================ passthrough

    @Nested
    class Passthrough {

        private org.jegress.api.livekit.StartEgressRequest.Builder passthrough(MediaSource.Builder media) {
            return v2Media(media).setPreset(EncodingOptionsPreset.PASSTHROUGH);
        }

        @Test
        void source() {
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .setPreset(EncodingOptionsPreset.PASSTHROUGH).addOutputs(fileOutput("")))),
                    "passthrough source");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder()
                    .setWeb(WebSource.newBuilder().setUrl("https://example.com"))
                    .setPreset(EncodingOptionsPreset.PASSTHROUGH).addOutputs(fileOutput("")))),
                    "passthrough source");
        }

        @Test
        void participantVideo() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder()
                    .setParticipantVideo(ParticipantVideo.newBuilder().setIdentity("david")))
                    .addOutputs(fileOutput("")))), "passthrough participant_video");
        }

        @Test
        void emptyVideoTrackId() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId(""))
                    .addOutputs(fileOutput("")))), "passthrough video_track_id");
        }

        @Test
        void captureAll() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder()
                    .setAudio(AudioConfig.newBuilder().setCaptureAll(true))).addOutputs(fileOutput("")))),
                    "passthrough capture_all");
        }

        @Test
        void audioRoutes() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder()
                    .setAudio(routeTrack("TR_a").addRoutes(AudioRoute.newBuilder().setTrackId("TR_b"))))
                    .addOutputs(fileOutput("")))), "passthrough audio routes");
        }

        @Test
        void audioRouteMatch() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setAudio(AudioConfig.newBuilder()
                    .addRoutes(AudioRoute.newBuilder().setParticipantIdentity("david"))))
                    .addOutputs(fileOutput("")))), "passthrough audio route match");
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setAudio(AudioConfig.newBuilder()
                    .addRoutes(AudioRoute.newBuilder().setChannel(AudioChannel.AUDIO_CHANNEL_LEFT))))
                    .addOutputs(fileOutput("")))), "passthrough audio route match");
        }

        @Test
        void audioRouteTrackId() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setAudio(routeTrack("")))
                    .addOutputs(fileOutput("")))), "passthrough audio route track_id");
        }

        @Test
        void exactlyOneTrack() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId("TR_v")
                    .setAudio(routeTrack("TR_a"))).addOutputs(fileOutput("")))), "passthrough track_id");
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder()).addOutputs(fileOutput("")))),
                    "passthrough track_id");
        }

        @Test
        void outputs() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId("TR_v"))
                    .addOutputs(fileOutput("")).addOutputs(streamOutput("rtmp://h/app/key")))),
                    "passthrough outputs");
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId("TR_v")))),
                    "passthrough outputs");
        }

        @Test
        void output() {
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId("TR_v"))
                    .addOutputs(streamOutput("rtmp://h/app/key")))), "passthrough output");
            assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId("TR_v"))
                    .addOutputs(Output.newBuilder().setSegments(SegmentedFileOutput.newBuilder())))),
                    "passthrough output");
        }

        @Test
        void fileType() {
            for (EncodedFileType t : List.of(EncodedFileType.MP4, EncodedFileType.OGG, EncodedFileType.MP3)) {
                assertInvalid(() -> plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId("TR_v"))
                        .addOutputs(fileOutput(t, "")))), "passthrough file_type");
            }
        }

        @Test
        void validVideoTrack() {
            EgressPlan p = plan(v2(passthrough(MediaSource.newBuilder().setVideoTrackId("TR_v"))
                    .addOutputs(fileOutput("recordings/{track_id}"))));
            assertThat(p.passthrough()).isTrue();
            assertThat(p.requestType()).isEqualTo(RequestType.MEDIA);
            assertThat(p.tracks().trackId()).isEqualTo("TR_v");
            assertThat(p.tracks().videoTrackId()).isEqualTo("TR_v");
            assertThat(p.video().enabled()).isTrue();
            assertThat(p.video().decoding()).isFalse();
            assertThat(p.video().encoding()).isFalse();
            assertThat(p.audio().enabled()).isFalse();
            assertThat(p.file().orElseThrow().type()).isEqualTo(OutputType.UNKNOWN_FILE);
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("recordings/{track_id}");
            assertThat(p.info().hasFile()).isTrue();
        }

        @Test
        void validAudioTrack() {
            EgressPlan p = plan(v2(passthrough(MediaSource.newBuilder().setAudio(routeTrack("TR_a")))
                    .addOutputs(fileOutput(""))));
            assertThat(p.tracks().trackId()).isEqualTo("TR_a");
            assertThat(p.audio().enabled()).isTrue();
            assertThat(p.audio().transcoding()).isFalse();
            assertThat(p.video().enabled()).isFalse();
        }
    }

    // ================================================================================================ files

    @Nested
    class FileNames {

        private String roomCompositePath(String requested) {
            return plan(roomComposite(roomComposite().addFileOutputs(file(requested)))).file().orElseThrow()
                    .storagePath();
        }

        @Test
        void seed001Examples() {
            assertThat(roomCompositePath("")).isEqualTo("testroom-2022-10-04T011306.mp4");
            assertThat(roomCompositePath("livekit-recordings/"))
                    .isEqualTo("livekit-recordings/testroom-2022-10-04T011306.mp4");
            assertThat(roomCompositePath("{room_name}/{time}")).isEqualTo("testroom/2022-10-04T011306.mp4");
            assertThat(roomCompositePath("{room_id}-{room_name}.mp4"))
                    .isEqualTo("10719607-f7b0-4d82-afe1-06b77e91fe12-testroom.mp4");
        }

        @Test
        void fileResultCarriesTheResolvedName() {
            EgressPlan p = plan(roomComposite(roomComposite().addFileOutputs(file("out/{room_name}"))));
            assertThat(p.info().getFileResultsList()).hasSize(1);
            assertThat(p.info().getFileResults(0).getFilename()).isEqualTo("out/testroom.mp4");
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("out/testroom.mp4");
        }

        @Test
        void generatedNameForWebUsesWeb() {
            EgressPlan p = plan(web(webRequest()));
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("web-" + TIME + ".mp4");
            assertThat(p.info().getRoomName()).isEmpty();
        }

        @Test
        void generatedNameForAudioOnlyUsesTheChosenExtension() {
            EgressPlan p = plan(roomComposite(roomComposite().setLayout("").setAudioOnly(true)
                    .addFileOutputs(file("audio/"))));
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("audio/testroom-" + TIME + ".ogg");
            assertThat(p.info().getFileResults(0).getFilename()).isEqualTo("audio/testroom-" + TIME + ".ogg");
            assertThat(p.info().getFile().getFilename()).isEqualTo("audio/testroom-" + TIME + ".ogg");
        }

        @Test
        void extensions() {
            assertThat(roomCompositePath("a")).isEqualTo("a.mp4");
            assertThat(roomCompositePath("a.mp4")).isEqualTo("a.mp4");
            assertThat(roomCompositePath("a.ogg")).isEqualTo("a.mp4");
            assertThat(roomCompositePath("a.m3u8")).isEqualTo("a.mp4");
            assertThat(roomCompositePath("a.txt")).isEqualTo("a.txt.mp4");
        }

        @Test
        void pathsAreCleaned() {
            assertThat(roomCompositePath("../../etc/x")).isEqualTo("etc/x.mp4");
            assertThat(roomCompositePath("a/./b//c")).isEqualTo("a/b/c.mp4");
            assertThat(roomCompositePath("/out/../rec/a.mp4")).isEqualTo("/rec/a.mp4");
            assertThat(roomCompositePath("./")).isEqualTo("testroom-" + TIME + ".mp4");
        }

        @Test
        void timeUsesThePlannerZone() {
            EgressPlanner ny = new EgressPlanner(config(CONFIG), Clock.fixed(NOW, ZoneOffset.UTC),
                    ZoneId.of("America/New_York"));
            EgressPlan p = ny.plan(roomComposite(roomComposite().addFileOutputs(file("{time}_{utc}"))).build());
            assertThat(p.file().orElseThrow().storagePath()).isEqualTo("2022-10-03T211306_20221004011306789.mp4");
        }
    }

    @Nested
    class Retry {

        private StartEgressRequest.Builder retried(int retry, String path) {
            return roomComposite(roomComposite().addFileOutputs(file(EncodedFileType.MP4, path)))
                    .setRetryCount(retry);
        }

        @Test
        void explicitPathWithoutRetryPlaceholder() {
            for (int retry : new int[] {1, 2}) {
                assertRejected(() -> plan(retried(retry, "recordings/my-file.mp4")), ErrorCode.FAILED_PRECONDITION,
                        "output configuration does not support retry");
            }
            assertRejected(() -> plan(rpc().setRetryCount(1).setTrack(TrackEgressRequest.newBuilder()
                    .setRoomName(ROOM).setTrackId("TR_x").setFile(DirectFileOutput.newBuilder()
                            .setFilepath("track.ogg")))), ErrorCode.FAILED_PRECONDITION,
                    "output configuration does not support retry");
            assertRejected(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid")).addOutputs(fileOutput("x.mp4")))
                    .setRetryCount(1)), ErrorCode.FAILED_PRECONDITION, "output configuration does not support retry");
        }

        @Test
        void firstAttemptWithExplicitPath() {
            assertThat(plan(retried(0, "recordings/my-file.mp4")).file().orElseThrow().storagePath())
                    .isEqualTo("recordings/my-file.mp4");
        }

        @Test
        void generatedNamesGetTheRetryCount() {
            assertThat(plan(retried(1, "recordings/")).file().orElseThrow().storagePath())
                    .isEqualTo("recordings/testroom-" + TIME + "-1.mp4");
            assertThat(plan(retried(3, "")).file().orElseThrow().storagePath())
                    .isEqualTo("testroom-" + TIME + "-3.mp4");
        }

        @Test
        void retryPlaceholder() {
            assertThat(plan(retried(1, "recordings/my-file-{retry}.mp4")).file().orElseThrow().storagePath())
                    .isEqualTo("recordings/my-file-1.mp4");
            assertThat(plan(retried(2, "recordings/{retry}/my-file.mp4")).file().orElseThrow().storagePath())
                    .isEqualTo("recordings/2/my-file.mp4");
        }

        @Test
        void retryCountIsReported() {
            assertThat(plan(retried(2, "")).info().getRetryCount()).isEqualTo(2);
        }
    }

    // ================================================================================================ storage

    @Nested
    class Storage {

        private static final String S3_CONFIG = CONFIG
                + "storage:\n  prefix: pre/\n  s3:\n    access_key: AK\n    secret: SK\n    region: us-east-1\n"
                + "    bucket: configured\n";

        @Test
        void localByDefault() {
            StorageTarget s = plan(web(webRequest())).file().orElseThrow().storage();
            assertThat(s.isLocal()).isTrue();
            assertThat(s.provider()).isEqualTo(StorageTarget.Provider.LOCAL);
            assertThat(s.prefix()).isEmpty();
        }

        @Test
        void disallowLocalStorageWithoutStorage() {
            assertInvalid(() -> planner(CONFIG + "disallow_local_storage: true\n").plan(web(webRequest()).build()),
                    "output");
            assertInvalid(() -> planner(CONFIG + "disallow_local_storage: true\n").plan(rpc().setTrack(
                    TrackEgressRequest.newBuilder().setRoomName(ROOM).setTrackId("TR_x")
                            .setFile(DirectFileOutput.newBuilder())).build()), "output");
            assertInvalid(() -> planner(CONFIG + "disallow_local_storage: true\n").plan(v2(
                    org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                            .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                            .addOutputs(fileOutput(""))).build()), "output");
        }

        @Test
        void disallowLocalStorageIsCheckedBeforeRetry() {
            assertInvalid(() -> planner(CONFIG + "disallow_local_storage: true\n").plan(
                    web(webRequest().clearFileOutputs().addFileOutputs(file("x.mp4"))).setRetryCount(1).build()),
                    "output");
        }

        @Test
        void disallowLocalStorageWithConfiguredStorage() {
            StorageTarget s = planner(S3_CONFIG + "disallow_local_storage: true\n").plan(web(webRequest()).build())
                    .file().orElseThrow().storage();
            assertThat(s.provider()).isEqualTo(StorageTarget.Provider.S3);
            assertThat(s.storage().s3().bucket()).isEqualTo("configured");
            assertThat(s.prefix()).isEqualTo("pre/");
        }

        @Test
        void disallowLocalStorageWithRequestStorage() {
            StorageTarget s = planner(CONFIG + "disallow_local_storage: true\n").plan(web(webRequest()
                    .clearFileOutputs().addFileOutputs(file("").setGcp(GCPUpload.newBuilder().setBucket("b")))
            ).build()).file().orElseThrow().storage();
            assertThat(s.provider()).isEqualTo(StorageTarget.Provider.GCP);
        }

        @Test
        void requestStorageWinsAndKeepsItsCredentials() {
            S3Upload s3 = S3Upload.newBuilder().setAccessKey("AKIA").setSecret("topsecret").setBucket("mine").build();
            StorageTarget s = planner(S3_CONFIG).plan(web(webRequest().clearFileOutputs()
                    .addFileOutputs(file("").setS3(s3))).build()).file().orElseThrow().storage();
            assertThat(s.provider()).isEqualTo(StorageTarget.Provider.S3);
            assertThat(s.storage().s3().accessKey()).isEqualTo("AKIA");
            assertThat(s.storage().s3().secret()).isEqualTo("topsecret");
            assertThat(s.storage().s3().bucket()).isEqualTo("mine");
            assertThat(s.prefix()).isEqualTo("pre/");
            assertThat(s.toString()).doesNotContain("topsecret");
        }

        @Test
        void requestS3TakesTheServerRetrySettingsOrUpstreamDefaults() {
            S3Upload s3 = S3Upload.newBuilder().setBucket("b").setRegion("eu-west-1").build();
            StorageTarget plain = planner(CONFIG).plan(web(webRequest().clearFileOutputs()
                    .addFileOutputs(file("").setS3(s3))).build()).file().orElseThrow().storage();
            assertThat(plain.storage().s3().maxRetries()).isEqualTo(5);
            assertThat(plain.storage().s3().minRetryDelay()).isEqualTo(java.time.Duration.ofMillis(100));
            assertThat(plain.storage().s3().maxRetryDelay()).isEqualTo(java.time.Duration.ofSeconds(5));
            assertThat(plain.prefix()).isEmpty();

            StorageTarget tuned = planner(CONFIG + "storage:\n  s3:\n    bucket: x\n    max_retries: 2\n"
                    + "    min_retry_delay: 1s\n").plan(web(webRequest().clearFileOutputs()
                    .addFileOutputs(file("").setS3(s3))).build()).file().orElseThrow().storage();
            assertThat(tuned.storage().s3().maxRetries()).isEqualTo(2);
            assertThat(tuned.storage().s3().minRetryDelay()).isEqualTo(java.time.Duration.ofSeconds(1));
            assertThat(tuned.storage().s3().maxRetryDelay()).isEqualTo(java.time.Duration.ofSeconds(5));
            assertThat(tuned.storage().s3().bucket()).isEqualTo("b");
        }

        @Test
        void assumeRoleWithoutKeyUsesTheServerKeyOrIsRefused() {
            S3Upload role = S3Upload.newBuilder().setBucket("b").setRegion("us-east-1")
                    .setAssumeRoleArn("arn:aws:iam::1:role/r").build();
            assertThatThrownBy(() -> planner(CONFIG).plan(web(webRequest().clearFileOutputs()
                    .addFileOutputs(file("").setS3(role))).build()))
                    .isInstanceOfSatisfying(EgressException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
                        assertThat(e.getMessage()).isEqualTo("S3 upload using AssumeRole is disabled for this account");
                    });
            StorageTarget s = planner(CONFIG + "s3_assume_role_key: SRVKEY\ns3_assume_role_secret: SRVSECRET\n")
                    .plan(web(webRequest().clearFileOutputs().addFileOutputs(file("").setS3(role))).build())
                    .file().orElseThrow().storage();
            assertThat(s.storage().s3().accessKey()).isEqualTo("SRVKEY");
            assertThat(s.storage().s3().secret()).isEqualTo("SRVSECRET");
            assertThat(s.storage().s3().assumeRoleArn()).isEqualTo("arn:aws:iam::1:role/r");
            // the server's role applies to requests that name none, with their own key
            StorageTarget own = planner(CONFIG + "s3_assume_role_arn: arn:aws:iam::2:role/srv\n"
                    + "s3_assume_role_external_id: ext\n").plan(web(webRequest().clearFileOutputs()
                    .addFileOutputs(file("").setS3(S3Upload.newBuilder().setBucket("b").setAccessKey("AK")
                            .setSecret("SK")))).build()).file().orElseThrow().storage();
            assertThat(own.storage().s3().assumeRoleArn()).isEqualTo("arn:aws:iam::2:role/srv");
            assertThat(own.storage().s3().assumeRoleExternalId()).isEqualTo("ext");
            assertThat(own.storage().s3().accessKey()).isEqualTo("AK");
        }

        @Test
        void missingBucketContainerOrEndpointIsRefusedBeforeStart() {
            assertInvalid(() -> plan(web(webRequest().clearFileOutputs().addFileOutputs(file("")
                    .setS3(S3Upload.newBuilder().setRegion("us-east-1"))))), "bucket");
            assertInvalid(() -> plan(web(webRequest().clearFileOutputs().addFileOutputs(file("")
                    .setGcp(GCPUpload.newBuilder())))), "bucket");
            assertInvalid(() -> plan(web(webRequest().clearFileOutputs().addFileOutputs(file("")
                    .setAzure(AzureBlobUpload.newBuilder().setAccountName("a"))))), "container_name");
            assertInvalid(() -> plan(web(webRequest().clearFileOutputs().addFileOutputs(file("")
                    .setAliOSS(AliOSSUpload.newBuilder().setBucket("b"))))), "endpoint");
            assertInvalid(() -> planner(CONFIG + "storage:\n  s3:\n    region: us-east-1\n")
                    .plan(web(webRequest()).build()), "bucket");
        }

        @Test
        void storageEndpointsReachAzureAndGcpTargets() {
            StorageTarget s = planner(CONFIG + "storage_endpoints: {azure: 'http://127.0.0.1:1/{account}'}\n")
                    .plan(web(webRequest().clearFileOutputs().addFileOutputs(file("").setAzure(AzureBlobUpload
                            .newBuilder().setAccountName("acc").setContainerName("c")))).build())
                    .file().orElseThrow().storage();
            assertThat(s.apiEndpoint()).isEqualTo("http://127.0.0.1:1/{account}");
            assertThat(s.customEndpoint()).isTrue();
        }

        @Test
        void providers() {
            assertThat(providerOf(file("").setAzure(AzureBlobUpload.newBuilder().setContainerName("c"))))
                    .isEqualTo(StorageTarget.Provider.AZURE);
            assertThat(providerOf(file("").setAliOSS(AliOSSUpload.newBuilder().setBucket("b")
                    .setEndpoint("oss-cn-hangzhou.aliyuncs.com"))))
                    .isEqualTo(StorageTarget.Provider.ALIOSS);
            assertThat(providerOf(file("").setGcp(GCPUpload.newBuilder().setBucket("b"))))
                    .isEqualTo(StorageTarget.Provider.GCP);
            assertThat(StorageTarget.Provider.ALIOSS.id()).isEqualTo("alioss");
        }

        private StorageTarget.Provider providerOf(EncodedFileOutput.Builder f) {
            return plan(web(webRequest().clearFileOutputs().addFileOutputs(f))).file().orElseThrow().storage()
                    .provider();
        }

        @Test
        void v2OutputStorageWinsOverRequestStorage() {
            StorageConfig requestLevel = StorageConfig.newBuilder().setGcp(GCPUpload.newBuilder().setBucket("g"))
                    .build();
            StorageConfig outputLevel = StorageConfig.newBuilder().setAzure(AzureBlobUpload.newBuilder()
                    .setContainerName("a")).build();
            org.jegress.api.livekit.StartEgressRequest.Builder base = org.jegress.api.livekit.StartEgressRequest
                    .newBuilder().setRoomName(ROOM).setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .setStorage(requestLevel);
            assertThat(plan(v2(base.clone().addOutputs(fileOutput("")))).file().orElseThrow().storage().provider())
                    .isEqualTo(StorageTarget.Provider.GCP);
            assertThat(plan(v2(base.clone().addOutputs(fileOutput("").toBuilder().setStorage(outputLevel))))
                    .file().orElseThrow().storage().provider()).isEqualTo(StorageTarget.Provider.AZURE);
        }
    }

    // ================================================================================================ EgressInfo

    @Nested
    class Info {

        @Test
        void initialFields() {
            EgressInfo info = plan(roomComposite(roomComposite().addFileOutputs(file("")))).info();
            assertThat(info.getEgressId()).isEqualTo(EGRESS_ID);
            assertThat(info.getRoomId()).isEqualTo(ROOM_ID);
            assertThat(info.getRoomName()).isEqualTo(ROOM);
            assertThat(info.getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
            assertThat(info.getStartedAt()).isEqualTo(NOW_NS);
            assertThat(info.getUpdatedAt()).isEqualTo(NOW_NS);
            assertThat(info.getEndedAt()).isZero();
            assertThat(info.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_WEB);
            assertThat(info.getRequestCase()).isEqualTo(EgressInfo.RequestCase.ROOM_COMPOSITE);
            assertThat(info.getError()).isEmpty();
            assertThat(info.getErrorCode()).isZero();
        }

        @Test
        void webSourceTypeAndNoRoom() {
            EgressInfo info = plan(web(webRequest())).info();
            assertThat(info.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_WEB);
            assertThat(info.getRoomName()).isEmpty();
            assertThat(info.getRoomId()).isEmpty();
            assertThat(info.getRequestCase()).isEqualTo(EgressInfo.RequestCase.WEB);
            assertThat(info.getWeb().getUrl()).isEqualTo("https://example.com/page");
        }

        @Test
        void sdkSourceType() {
            EgressInfo info = plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .setIdentity("david").addFileOutputs(file("")))).info();
            assertThat(info.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_SDK);
            assertThat(info.getRequestCase()).isEqualTo(EgressInfo.RequestCase.PARTICIPANT);
        }

        @Test
        void deprecatedFileResultWhenTheFileIsTheOnlyOutput() {
            EgressInfo v1 = plan(roomComposite(roomComposite().addFileOutputs(file("a.mp4")))).info();
            assertThat(v1.getResultCase()).isEqualTo(EgressInfo.ResultCase.FILE);
            assertThat(v1.getFile()).isEqualTo(v1.getFileResults(0));
            assertThat(v1.getFile().getFilename()).isEqualTo("a.mp4");

            EgressInfo deprecatedField = plan(roomComposite(roomComposite().setFile(file("b")))).info();
            assertThat(deprecatedField.getFile().getFilename()).isEqualTo("b.mp4");
            assertThat(deprecatedField.getFileResultsList()).extracting(f -> f.getFilename())
                    .containsExactly("b.mp4");

            EgressInfo v2 = plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid")).addOutputs(fileOutput("c")))).info();
            assertThat(v2.getResultCase()).isEqualTo(EgressInfo.ResultCase.FILE);
            assertThat(v2.getFile().getFilename()).isEqualTo("c.mp4");
        }

        @Test
        void deprecatedFileResultForTrackEgress() {
            // upstream always reports a track egress's file in the deprecated result as well
            EgressInfo info = plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTrackId("TR_x").setFile(DirectFileOutput.newBuilder().setFilepath("t")))).info();
            assertThat(info.getFileResultsCount()).isEqualTo(1);
            assertThat(info.getResultCase()).isEqualTo(EgressInfo.ResultCase.FILE);
            assertThat(info.getRequestCase()).isEqualTo(EgressInfo.RequestCase.TRACK);
        }

        @Test
        void credentialsAreRedactedInTheEcho() {
            S3Upload s3 = S3Upload.newBuilder().setAccessKey("ACCESS_KEY").setSecret("LONG_SECRET_STRING")
                    .setSessionToken("SESSION_TOKEN").setAssumeRoleExternalId("EXTERNAL_ID")
                    .setRegion("eu-west-1").setBucket("bucket").build();
            EgressPlan p = plan(roomComposite(roomComposite().addFileOutputs(file("").setS3(s3))));
            S3Upload echoed = p.info().getRoomComposite().getFileOutputs(0).getS3();
            assertThat(echoed.getAccessKey()).isEqualTo("{access_key}");
            assertThat(echoed.getSecret()).isEqualTo("{secret}");
            assertThat(echoed.getSessionToken()).isEqualTo("{session_token}");
            assertThat(echoed.getAssumeRoleExternalId()).isEqualTo("{external_id}");
            assertThat(echoed.getRegion()).isEqualTo("eu-west-1");
            assertThat(echoed.getBucket()).isEqualTo("bucket");
            // the plan itself keeps what it needs to upload
            assertThat(p.file().orElseThrow().storage().storage().s3().secret()).isEqualTo("LONG_SECRET_STRING");
            assertThat(p.info().toString()).doesNotContain("LONG_SECRET_STRING", "ACCESS_KEY", "SESSION_TOKEN");
        }

        @Test
        void deprecatedFileCredentialsAreRedacted() {
            EgressInfo info = plan(roomComposite(roomComposite().setFile(file("")
                    .setAzure(AzureBlobUpload.newBuilder().setAccountName("acct").setAccountKey("key")
                            .setContainerName("c"))))).info();
            AzureBlobUpload az = info.getRoomComposite().getFile().getAzure();
            assertThat(az.getAccountName()).isEqualTo("{account_name}");
            assertThat(az.getAccountKey()).isEqualTo("{account_key}");
            assertThat(az.getContainerName()).isEqualTo("c");
        }

        @Test
        void trackCredentialsAreRedacted() {
            EgressInfo info = plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTrackId("TR_x").setFile(DirectFileOutput.newBuilder().setAliOSS(AliOSSUpload.newBuilder()
                            .setAccessKey("AK").setSecret("SK").setBucket("b").setEndpoint("e"))))).info();
            AliOSSUpload oss = info.getTrack().getFile().getAliOSS();
            assertThat(oss.getAccessKey()).isEqualTo("{access_key}");
            assertThat(oss.getSecret()).isEqualTo("{secret}");
            assertThat(oss.getBucket()).isEqualTo("b");
        }

        @Test
        void v2CredentialsAreRedacted() {
            EgressInfo info = plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .setStorage(StorageConfig.newBuilder().setGcp(GCPUpload.newBuilder().setCredentials("{json}")
                            .setBucket("g")))
                    .addOutputs(fileOutput("").toBuilder().setStorage(StorageConfig.newBuilder()
                            .setS3(S3Upload.newBuilder().setAccessKey("AK").setSecret("SK").setBucket("b")))))).info();
            assertThat(info.getEgress().getStorage().getGcp().getCredentials()).isEqualTo("{credentials}");
            assertThat(info.getEgress().getStorage().getGcp().getBucket()).isEqualTo("g");
            assertThat(info.getEgress().getOutputs(0).getStorage().getS3().getAccessKey())
                    .isEqualTo("{access_key}");
            assertThat(info.getEgress().getOutputs(0).getStorage().getS3().getSecret()).isEqualTo("{secret}");
        }

        @Test
        void requestEchoOtherwiseUnchanged() {
            RoomCompositeEgressRequest req = roomComposite().setLayout("speaker").setAudioMixing(
                    AudioMixing.DUAL_CHANNEL_AGENT).addFileOutputs(file(EncodedFileType.MP4, "x/{room_name}"))
                    .setPreset(EncodingOptionsPreset.H264_1080P_30).build();
            assertThat(plan(roomComposite(req.toBuilder())).info().getRoomComposite()).isEqualTo(req);
        }
    }

    @Test
    void isHttpFollowsGoUrlParse() {
        assertThat(EgressPlanner.isHttp("http://localhost:7980/")).isTrue();
        assertThat(EgressPlanner.isHttp("HTTP://localhost:7980/")).isTrue();
        assertThat(EgressPlanner.isHttp("hTtPs://example.com")).isTrue();
        assertThat(EgressPlanner.isHttp("https://example.com/p?q=a|b#{frag}")).isTrue();
        assertThat(EgressPlanner.isHttp("https://example.com/%41")).isTrue();
        // Go refuses bad escapes, control characters and bad hosts
        assertThat(EgressPlanner.isHttp("https://example.com/%zz")).isFalse();
        assertThat(EgressPlanner.isHttp("https://example.com/\t")).isFalse();
        assertThat(EgressPlanner.isHttp("https://exa\u007fmple.com/")).isFalse();
        assertThat(EgressPlanner.isHttp("https://bad host/")).isFalse();
        assertThat(EgressPlanner.isHttp("https://[::1/")).isFalse();
        // other schemes, or none
        assertThat(EgressPlanner.isHttp(" https://example.com")).isFalse();
        assertThat(EgressPlanner.isHttp("httpx://example.com")).isFalse();
        assertThat(EgressPlanner.isHttp("https")).isFalse();
        assertThat(EgressPlanner.isHttp("file:///etc/passwd")).isFalse();
        assertThat(EgressPlanner.isHttp("/relative/page")).isFalse();
    }

    @Test
    void upperCaseTemplateBaseIsAccepted() {
        EgressPlan p = planner(CONFIG + "template_base: HTTP://templates.local:8080/\n")
                .plan(roomComposite(roomComposite().addFileOutputs(file(""))).build());
        assertThat(p.web().url()).isEqualTo("HTTP://templates.local:8080/");
    }

    @Test
    void sdkSourceRule() {
        assertThat(EgressPlanner.shouldUseSdkSource(true, "", "")).isTrue();
        assertThat(EgressPlanner.shouldUseSdkSource(false, "", "")).isFalse();
        assertThat(EgressPlanner.shouldUseSdkSource(true, "grid", "")).isFalse();
        assertThat(EgressPlanner.shouldUseSdkSource(true, "", "https://t.example.com")).isFalse();
    }

    @Test
    void planIsDeterministicForAFixedClock() {
        StartEgressRequest.Builder req = roomComposite(roomComposite().addFileOutputs(file("")));
        EgressPlan a = plan(req);
        EgressPlan b = plan(req);
        assertThat(a.info()).isEqualTo(b.info());
        assertThat(a.file()).isEqualTo(b.file());
        assertThat(a.egressId()).isEqualTo(EGRESS_ID);
        assertThat(a.file().orElseThrow().disableManifest()).isFalse();
    }

    @Test
    void disableManifest() {
        EgressPlan p = plan(roomComposite(roomComposite().addFileOutputs(file("").setDisableManifest(true))));
        assertThat(p.file().orElseThrow().disableManifest()).isTrue();
    }

    @Test
    void validRequestsDoNotThrow() {
        List<StartEgressRequest.Builder> requests = new ArrayList<>();
        requests.add(roomComposite(roomComposite().addFileOutputs(file(""))));
        requests.add(web(webRequest()));
        requests.add(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                .setIdentity("david").addFileOutputs(file(""))));
        requests.add(rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder().setRoomName(ROOM)
                .setAudioTrackId("TR_a").setVideoTrackId("TR_v").addFileOutputs(file(""))));
        requests.add(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM).setTrackId("TR_x")
                .setFile(DirectFileOutput.newBuilder())));
        for (StartEgressRequest.Builder r : requests) {
            assertThatCode(() -> plan(r)).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> plan(rpc())).isInstanceOf(EgressException.class);
    }

    @Test
    void onlyRoomEgressesWithoutVideoTranscodingAreLightweight() {
        assertThat(plan(rpc().setTrack(TrackEgressRequest.newBuilder().setRoomName(ROOM).setTrackId("TR_a")
                .setFile(DirectFileOutput.newBuilder().setFilepath("t"))))
                .lightweight()).as("track egress").isTrue();
        assertThat(plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                .setIdentity("bob").addFileOutputs(file("p.mp4"))))
                .lightweight()).as("participant with video").isFalse();
        assertThat(plan(rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder().setRoomName(ROOM)
                .setAudioTrackId("TR_a").addFileOutputs(file("a.ogg"))))
                .lightweight()).as("audio-only track composite").isTrue();
        assertThat(plan(web(webRequest())).lightweight()).as("web").isFalse();
        assertThat(plan(web(webRequest().setAudioOnly(true))).lightweight()).as("audio-only web").isFalse();
        assertThat(plan(roomComposite(roomComposite().addFileOutputs(file("")))).lightweight())
                .as("room composite").isFalse();
    }
}
