package org.jegress.api.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jegress.api.plan.EgressPlannerTest.CONFIG;
import static org.jegress.api.plan.EgressPlannerTest.NOW;
import static org.jegress.api.plan.EgressPlannerTest.NOW_NS;
import static org.jegress.api.plan.EgressPlannerTest.ROOM;
import static org.jegress.api.plan.EgressPlannerTest.TIME;
import static org.jegress.api.plan.EgressPlannerTest.assertInvalid;
import static org.jegress.api.plan.EgressPlannerTest.assertRejected;
import static org.jegress.api.plan.EgressPlannerTest.config;
import static org.jegress.api.plan.EgressPlannerTest.file;
import static org.jegress.api.plan.EgressPlannerTest.plan;
import static org.jegress.api.plan.EgressPlannerTest.roomComposite;
import static org.jegress.api.plan.EgressPlannerTest.rpc;
import static org.jegress.api.plan.EgressPlannerTest.v2;
import static org.jegress.api.plan.EgressPlannerTest.web;
import static org.jegress.api.plan.EgressPlannerTest.webRequest;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.AudioCodec;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.ImageCodec;
import org.jegress.api.livekit.ImageFileSuffix;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.Output;
import org.jegress.api.livekit.ParticipantEgressRequest;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.SegmentedFileSuffix;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.StreamProtocol;
import org.jegress.api.livekit.TemplateSource;
import org.jegress.api.livekit.TrackCompositeEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.livekit.WebSource;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Streams, HLS segments, images and several outputs at once, as upstream plans them. */
@SuppressWarnings("deprecation")
class OutputPlanningTest {

    static final String GOOD = "rtmp://localhost:1935/live/streamkey";

    static WebEgressRequest.Builder page() {
        return WebEgressRequest.newBuilder().setUrl("https://example.com/page");
    }

    static StreamOutput.Builder rtmp(String... urls) {
        return StreamOutput.newBuilder().addAllUrls(List.of(urls));
    }

    static EgressPlan planWithTwitch(StartEgressRequest.Builder req) {
        StreamIngests ingests = () -> "rtmps://fra05.contribute.live-video.net/app/{stream_key}";
        return new EgressPlanner(config(CONFIG), Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC, ingests)
                .plan(req.build());
    }

    @Nested
    class Streams {

        @Test
        void rtmpUrlsAreRedactedAndStartWhenConnected() {
            EgressPlan p = plan(web(page().addStreamOutputs(rtmp(GOOD, "rtmps://example.com:443/app/abcdef"))));
            StreamPlan s = p.streams().orElseThrow();
            assertThat(s.type()).isEqualTo(OutputType.RTMP);
            assertThat(s.urls()).extracting(StreamUrl::url).containsExactly(GOOD, "rtmps://example.com:443/app/abcdef");
            assertThat(p.info().getStreamResultsList()).extracting(StreamInfo::getUrl)
                    .containsExactly("rtmp://localhost:1935/live/{str...key}", "rtmps://example.com:443/app/{ab...ef}");
            // RTMP's started_at is set once the connection is up
            assertThat(p.info().getStreamResults(0).getStartedAt()).isZero();
            assertThat(p.info().getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.ACTIVE);
            assertThat(p.info().getStream().getInfoList()).isEqualTo(p.info().getStreamResultsList());
            assertThat(p.audio().codec()).isEqualTo(MediaType.AAC);
            assertThat(p.video().codec()).isEqualTo(MediaType.H264);
            assertThat(p.video().encoding()).isTrue();
        }

        @Test
        void streamsGetAKeyFrameEveryFourSecondsUnlessAsked() {
            assertThat(plan(web(page().addStreamOutputs(rtmp(GOOD)))).video().keyFrameIntervalSec()).isEqualTo(4.0);
            assertThat(plan(web(page().addStreamOutputs(rtmp(GOOD))
                    .setAdvanced(EncodingOptions.newBuilder().setKeyFrameInterval(2)))).video().keyFrameIntervalSec())
                    .isEqualTo(2.0);
            assertThat(plan(web(webRequest())).video().keyFrameIntervalSec()).isZero();
        }

        @Test
        void muxShorthand() {
            EgressPlan p = plan(web(page().addStreamOutputs(rtmp("mux://streamkey"))));
            assertThat(p.streams().orElseThrow().urls().get(0).url())
                    .isEqualTo("rtmps://global-live.mux.com:443/app/streamkey");
            assertThat(p.info().getStreamResults(0).getUrl())
                    .isEqualTo("rtmps://global-live.mux.com:443/app/{str...key}");
        }

        @Test
        void twitchShorthandAndIngestUrlsUseTheInjectedIngestList() {
            EgressPlan p = planWithTwitch(web(page().addStreamOutputs(rtmp("twitch://streamkey",
                    "rtmp://any.contribute.live-video.net/app/otherkey"))));
            assertThat(p.streams().orElseThrow().urls()).extracting(StreamUrl::url).containsExactly(
                    "rtmps://fra05.contribute.live-video.net/app/streamkey",
                    "rtmps://fra05.contribute.live-video.net/app/otherkey");
            assertThat(p.info().getStreamResults(0).getUrl())
                    .isEqualTo("rtmps://fra05.contribute.live-video.net/app/{str...key}");
            // without a lookup a twitch:// URL cannot be resolved
            assertRejected(() -> plan(web(page().addStreamOutputs(rtmp("twitch://streamkey")))),
                    ErrorCode.INVALID_ARGUMENT,
                    "invalid url twitch://streamkey: no twitch ingest lookup configured");
        }

        @Test
        void rtmpUrlShape() {
            assertRejected(() -> plan(web(page().addStreamOutputs(rtmp("rtmp://localhost/key")))),
                    ErrorCode.INVALID_ARGUMENT, "invalid url rtmp://localhost/key: " + StreamUrls.RTMP_FORMAT);
            EgressPlan live = plan(web(page().addStreamOutputs(rtmp("rtmp://h/app/key123 live=1"))));
            assertThat(live.info().getStreamResults(0).getUrl()).isEqualTo("rtmp://h/app/{ke...23} live=1");
        }

        @Test
        void schemesAndProtocols() {
            assertRejected(() -> plan(web(page().addStreamOutputs(rtmp("http://example.com/live/key")))),
                    ErrorCode.INVALID_ARGUMENT, "invalid url http://example.com/live/key: invalid protocol");
            assertRejected(() -> plan(web(page().addStreamOutputs(rtmp(GOOD, "srt://localhost:8890")))),
                    ErrorCode.INVALID_ARGUMENT, "invalid url srt://localhost:8890: invalid scheme");
            assertRejected(() -> plan(web(page().addStreamOutputs(StreamOutput.newBuilder()
                    .setProtocol(StreamProtocol.SRT).addUrls(GOOD)))), ErrorCode.INVALID_ARGUMENT,
                    "invalid url " + GOOD + ": invalid scheme");
            assertInvalid(() -> plan(web(page().addStreamOutputs(StreamOutput.newBuilder()))), "stream protocol");
            assertRejected(() -> plan(web(page().addStreamOutputs(rtmp(GOOD, GOOD)))), ErrorCode.INVALID_ARGUMENT,
                    "invalid url " + GOOD + ": duplicate url");
        }

        @Test
        void srtStartsWithThePipelineAndHidesItsStreamId() {
            EgressPlan p = plan(web(page().addStreamOutputs(rtmp("srt://localhost:8890?streamid=publish:key"))));
            assertThat(p.streams().orElseThrow().type()).isEqualTo(OutputType.SRT);
            assertThat(p.info().getStreamResults(0).getUrl()).isEqualTo("srt://localhost:8890?streamid={...}");
            assertThat(p.info().getStreamResults(0).getStartedAt()).isEqualTo(NOW_NS);
        }

        @Test
        void anEmptyStreamOutputNeedsAnotherOutput() {
            assertInvalid(() -> plan(web(page().addStreamOutputs(StreamOutput.newBuilder()
                    .setProtocol(StreamProtocol.RTMP)))), "stream url");
            EgressPlan p = plan(web(webRequest().addStreamOutputs(StreamOutput.newBuilder()
                    .setProtocol(StreamProtocol.RTMP))));
            assertThat(p.streams().orElseThrow().urls()).isEmpty();
            assertThat(p.info().hasFile()).isFalse();
            assertThat(p.info().hasStream()).isFalse();
        }

        @Test
        void opusCannotGoOverRtmpNextToAnOggFile() {
            assertRejected(() -> plan(web(page().setAudioOnly(true).addFileOutputs(file(
                    org.jegress.api.livekit.EncodedFileType.OGG, "a.ogg")).addStreamOutputs(rtmp(GOOD)))),
                    ErrorCode.INVALID_ARGUMENT, "format audio/ogg incompatible with codec audio/aac");
        }
    }

    @Nested
    class Segments {

        @ParameterizedTest(name = "prefix \"{0}\", playlist \"{1}\", live \"{2}\"")
        @CsvSource(delimiter = '|', nullValues = "-", value = {
            // upstream TestSegmentNaming: prefix | playlist | live | storage dir | playlist | live | segment prefix
            "-                  | playlist           | -                       | -          | playlist.m3u8 | -                       | playlist",
            "-                  | conf_test/playlist | conf_test/live_playlist | conf_test/ | playlist.m3u8 | live_playlist.m3u8      | playlist",
            "filename           | -                  | live_playlist2.m3u8     | -          | filename.m3u8 | live_playlist2.m3u8     | filename",
            "filename           | playlist           | -                       | -          | playlist.m3u8 | -                       | filename",
            "filename           | conf_test/         | -                       | conf_test/ | filename.m3u8 | -                       | filename",
            "filename           | conf_test/playlist | -                       | conf_test/ | playlist.m3u8 | -                       | filename",
            "conf_test/         | playlist           | -                       | conf_test/ | playlist.m3u8 | -                       | playlist",
            "conf_test/filename | playlist           | -                       | conf_test/ | playlist.m3u8 | -                       | filename",
            "conf_test/filename | conf_test/playlist | -                       | conf_test/ | playlist.m3u8 | -                       | filename",
            "conf_test_2/filename | conf_test/playlist | -                     | conf_test/ | playlist.m3u8 | -                       | conf_test_2/filename",
        })
        void naming(String prefix, String playlist, String live, String dir, String playlistFile, String liveFile,
                String segmentPrefix) {
            SegmentedFileOutput.Builder s = SegmentedFileOutput.newBuilder();
            if (prefix != null) {
                s.setFilenamePrefix(prefix);
            }
            if (playlist != null) {
                s.setPlaylistName(playlist);
            }
            if (live != null) {
                s.setLivePlaylistName(live);
            }
            SegmentsPlan p = plan(web(page().addSegmentOutputs(s))).segmentOutput().orElseThrow();
            assertThat(p.storageDir()).isEqualTo(dir == null ? "" : dir);
            assertThat(p.playlistFilename()).isEqualTo(playlistFile);
            assertThat(p.livePlaylistFilename()).isEqualTo(liveFile == null ? "" : liveFile);
            assertThat(p.segmentPrefix()).isEqualTo(segmentPrefix);
        }

        @Test
        void defaultsAndResults() {
            EgressPlan p = plan(roomComposite(roomComposite().addSegmentOutputs(SegmentedFileOutput.newBuilder()
                    .setFilenamePrefix("r_{room_name}").setLivePlaylistName("live"))));
            SegmentsPlan s = p.segmentOutput().orElseThrow();
            assertThat(s.segmentDuration()).isEqualTo(4);
            assertThat(s.suffix()).isEqualTo(SegmentedFileSuffix.INDEX);
            assertThat(s.playlistPath()).isEqualTo("r_" + ROOM + ".m3u8");
            assertThat(s.segmentName("00000")).isEqualTo("r_" + ROOM + "_00000.ts");
            assertThat(p.info().getSegmentResults(0).getPlaylistName()).isEqualTo("r_" + ROOM + ".m3u8");
            assertThat(p.info().getSegmentResults(0).getLivePlaylistName()).isEqualTo("live.m3u8");
            assertThat(p.info().getSegments()).isEqualTo(p.info().getSegmentResults(0));
            assertThat(p.audio().codec()).isEqualTo(MediaType.AAC);
            assertThat(p.video().codec()).isEqualTo(MediaType.H264);
        }

        @Test
        void generatedNames() {
            SegmentsPlan s = plan(roomComposite(roomComposite().addSegmentOutputs(SegmentedFileOutput.newBuilder())))
                    .segmentOutput().orElseThrow();
            assertThat(s.playlistFilename()).isEqualTo(ROOM + "-" + TIME + ".m3u8");
            assertThat(s.segmentPrefix()).isEqualTo(ROOM + "-" + TIME);
        }

        @Test
        void livePlaylistRules() {
            assertInvalid(() -> plan(web(page().addSegmentOutputs(SegmentedFileOutput.newBuilder()
                    .setPlaylistName("a/p").setLivePlaylistName("b/live")))),
                    "live_playlist_name must be in same directory as playlist_name");
            assertInvalid(() -> plan(web(page().addSegmentOutputs(SegmentedFileOutput.newBuilder()
                    .setPlaylistName("p").setLivePlaylistName("p.m3u8")))),
                    "live_playlist_name cannot be identical to playlist_name");
        }

        @Test
        void mp3AndOpusCannotBeSegmented() {
            assertRejected(() -> plan(web(page().setAudioOnly(true).setAdvanced(EncodingOptions.newBuilder()
                    .setAudioCodec(AudioCodec.AC_MP3)).addSegmentOutputs(SegmentedFileOutput.newBuilder()))),
                    ErrorCode.INVALID_ARGUMENT, "format application/x-mpegurl incompatible with codec audio/mpeg");
            assertRejected(() -> plan(web(page().setAdvanced(EncodingOptions.newBuilder()
                    .setAudioCodec(AudioCodec.OPUS)).addSegmentOutputs(SegmentedFileOutput.newBuilder()))),
                    ErrorCode.INVALID_ARGUMENT, "format application/x-mpegurl incompatible with codec audio/opus");
        }

        @Test
        void videoFileWithMp3() {
            assertRejected(() -> plan(web(page().setAdvanced(EncodingOptions.newBuilder()
                    .setAudioCodec(AudioCodec.AC_MP3)).addFileOutputs(file(
                    org.jegress.api.livekit.EncodedFileType.MP3, "x.mp3")))),
                    ErrorCode.INVALID_ARGUMENT, "format audio/mpeg incompatible with codec video/h264");
        }

        @Test
        void segmentsDecideKeyFramesAndFollowAStreamsInterval() {
            EgressPlan p = plan(web(page().addStreamOutputs(rtmp(GOOD)).addSegmentOutputs(SegmentedFileOutput
                    .newBuilder().setSegmentDuration(6)).setAdvanced(EncodingOptions.newBuilder()
                    .setKeyFrameInterval(2))));
            assertThat(p.segmentOutput().orElseThrow().segmentDuration()).isEqualTo(2);
            assertThat(p.video().keyFrameIntervalSec()).isZero();
            assertThat(plan(web(page().addStreamOutputs(rtmp(GOOD)).addSegmentOutputs(SegmentedFileOutput
                    .newBuilder().setSegmentDuration(6)))).segmentOutput().orElseThrow().segmentDuration())
                    .isEqualTo(6);
        }

        @Test
        void retryNeedsTheRetryPlaceholder() {
            StartEgressRequest.Builder base = roomComposite(roomComposite().addSegmentOutputs(
                    SegmentedFileOutput.newBuilder().setFilenamePrefix("seg"))).setRetryCount(1);
            assertRejected(() -> plan(base), ErrorCode.FAILED_PRECONDITION,
                    "output configuration does not support retry");
            assertRejected(() -> plan(roomComposite(roomComposite().addSegmentOutputs(SegmentedFileOutput
                    .newBuilder().setPlaylistName("pl"))).setRetryCount(1)), ErrorCode.FAILED_PRECONDITION,
                    "output configuration does not support retry");
            SegmentsPlan s = plan(roomComposite(roomComposite().addSegmentOutputs(SegmentedFileOutput.newBuilder()))
                    .setRetryCount(2)).segmentOutput().orElseThrow();
            assertThat(s.segmentPrefix()).isEqualTo(ROOM + "-" + TIME + "-2");
        }

        @Test
        void trackCompositeNamesWaitForThePublisher() {
            EgressPlan p = plan(rpc().setTrackComposite(TrackCompositeEgressRequest.newBuilder().setRoomName(ROOM)
                    .setVideoTrackId("TR_v").addSegmentOutputs(SegmentedFileOutput.newBuilder()
                            .setFilenamePrefix("tc_{publisher_identity}"))));
            EgressPlan resolved = p.withTracks(null, Map.of("{publisher_identity}", "alice"), p.audio(), p.video());
            assertThat(resolved.segmentOutput().orElseThrow().segmentPrefix()).isEqualTo("tc_alice");
            assertThat(resolved.info().getSegmentResults(0).getPlaylistName()).isEqualTo("tc_alice.m3u8");
        }
    }

    @Nested
    class Images {

        @Test
        void defaultsFollowTheEncoding() {
            EgressPlan p = plan(roomComposite(roomComposite().setAdvanced(EncodingOptions.newBuilder().setWidth(640)
                    .setHeight(360)).addImageOutputs(ImageOutput.newBuilder()
                    .setFilenamePrefix("thumbs/r_{room_name}"))));
            ImagesPlan im = p.images().get(0);
            assertThat(im.captureInterval()).isEqualTo(10);
            assertThat(im.width()).isEqualTo(640);
            assertThat(im.height()).isEqualTo(360);
            assertThat(im.storageDir()).isEqualTo("thumbs/");
            assertThat(im.prefix()).isEqualTo("r_" + ROOM);
            assertThat(im.imageName("00000")).isEqualTo("r_" + ROOM + "_00000.jpeg");
            assertThat(p.info().getImageResults(0).getFilenamePrefix()).isEqualTo("thumbs/r_" + ROOM);
            assertThat(p.needsRawVideo()).isTrue();
        }

        @Test
        void suffixesAndCodecs() {
            ImagesPlan overwrite = plan(web(page().addImageOutputs(ImageOutput.newBuilder().setFilenamePrefix("x")
                    .setFilenameSuffix(ImageFileSuffix.IMAGE_SUFFIX_NONE_OVERWRITE)))).images().get(0);
            assertThat(overwrite.imageName("ignored")).isEqualTo("x.jpeg");
            assertRejected(() -> plan(web(page().addImageOutputs(ImageOutput.newBuilder()
                    .setImageCodecValue(ImageCodec.IC_JPEG_VALUE + 7)))), ErrorCode.INVALID_ARGUMENT,
                    "no supported codec is compatible with all outputs");
            assertInvalid(() -> plan(web(page().addImageOutputs(ImageOutput.newBuilder().setFilenameSuffixValue(9)))),
                    "filename_suffix");
            assertInvalid(() -> plan(web(page().addImageOutputs(ImageOutput.newBuilder().setWidth(-4)))), "width");
        }

        @Test
        void imagesAloneCarryNoAudio() {
            EgressPlan p = plan(web(page().addImageOutputs(ImageOutput.newBuilder())));
            assertThat(p.audio().enabled()).isFalse();
            assertThat(p.video().enabled()).isTrue();
            assertThat(p.video().encoding()).isFalse();
            EgressPlan v2 = plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder()
                    .setWeb(WebSource.newBuilder().setUrl("https://example.com"))
                    .addOutputs(Output.newBuilder().setImages(ImageOutput.newBuilder()))
                    .addOutputs(Output.newBuilder().setImages(ImageOutput.newBuilder().setFilenamePrefix("b")))));
            assertThat(v2.audio().enabled()).isFalse();
            assertThat(v2.images()).extracting(ImagesPlan::id).containsExactly("images_0", "images_1");
        }

        @Test
        void generatedPrefix() {
            ImagesPlan im = plan(rpc().setParticipant(ParticipantEgressRequest.newBuilder().setRoomName(ROOM)
                    .setIdentity("alice").addImageOutputs(ImageOutput.newBuilder()))).images().get(0);
            assertThat(im.prefix()).isEqualTo("alice-" + TIME);
        }
    }

    @Nested
    class Several {

        @Test
        void fileStreamSegmentsAndImagesFromOneRequest() {
            EgressPlan p = plan(web(webRequest().addStreamOutputs(rtmp(GOOD)).addSegmentOutputs(
                    SegmentedFileOutput.newBuilder()).addImageOutputs(ImageOutput.newBuilder())
                    .addImageOutputs(ImageOutput.newBuilder().setFilenamePrefix("other"))));
            assertThat(p.file()).isPresent();
            assertThat(p.streams()).isPresent();
            assertThat(p.segmentOutput()).isPresent();
            assertThat(p.images()).hasSize(2);
            assertThat(p.info().getFileResultsCount()).isEqualTo(1);
            assertThat(p.info().getStreamResultsCount()).isEqualTo(1);
            assertThat(p.info().getSegmentResultsCount()).isEqualTo(1);
            assertThat(p.info().getImageResultsCount()).isEqualTo(2);
            // the deprecated single result is only filled when one kind of output is used
            assertThat(p.info().getResultCase()).isEqualTo(org.jegress.api.livekit.EgressInfo.ResultCase.RESULT_NOT_SET);
            assertThat(p.audio().codec()).isEqualTo(MediaType.AAC);
        }

        @Test
        void v2Outputs() {
            EgressPlan p = plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .addOutputs(EgressPlannerTest.fileOutput(""))
                    .addOutputs(EgressPlannerTest.streamOutput(GOOD))
                    .addOutputs(Output.newBuilder().setSegments(SegmentedFileOutput.newBuilder()))));
            assertThat(p.file()).isPresent();
            assertThat(p.streams().orElseThrow().urls()).hasSize(1);
            assertThat(p.segmentOutput()).isPresent();
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .addOutputs(EgressPlannerTest.streamOutput(GOOD))
                    .addOutputs(EgressPlannerTest.streamOutput("rtmp://localhost/live/other")))),
                    "multiple stream outputs");
            assertInvalid(() -> plan(v2(org.jegress.api.livekit.StartEgressRequest.newBuilder().setRoomName(ROOM)
                    .setTemplate(TemplateSource.newBuilder().setLayout("grid"))
                    .addOutputs(Output.newBuilder().setSegments(SegmentedFileOutput.newBuilder()))
                    .addOutputs(Output.newBuilder().setSegments(SegmentedFileOutput.newBuilder())))),
                    "multiple segmented file outputs");
        }

        @Test
        void v1MultipleStreamOrSegmentOutputs() {
            assertInvalid(() -> plan(web(page().addStreamOutputs(rtmp(GOOD)).addStreamOutputs(rtmp(GOOD)))),
                    "multiple stream outputs");
            assertInvalid(() -> plan(web(page().addSegmentOutputs(SegmentedFileOutput.newBuilder())
                    .addSegmentOutputs(SegmentedFileOutput.newBuilder()))), "multiple segmented file outputs");
        }
    }
}
