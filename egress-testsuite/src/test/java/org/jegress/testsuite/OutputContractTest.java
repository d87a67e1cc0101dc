package org.jegress.testsuite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.ImageFileSuffix;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.ImagesInfo;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.SegmentedFileSuffix;
import org.jegress.api.livekit.SegmentsInfo;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.testsuite.media.KeyFrames;
import org.jegress.testsuite.media.M3u8;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.RtmpServer;
import org.jegress.testsuite.servers.SrtListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording contract, kept by every output: it starts, reaches ACTIVE, stops, decodes with the right codecs,
 * lasts as long as reported (±1 s) and has its results and manifest filled in. Run over test media, no browser.
 */
@Tag("gst")
class OutputContractTest {

    static final double SECONDS = 6;

    @TempDir
    Path dir;
    private Recorder recorder;

    @BeforeEach
    void setUp() {
        recorder = new Recorder(dir);
    }

    static WebEgressRequest.Builder media(String query) {
        return WebEgressRequest.newBuilder().setUrl(TestSources.url(query));
    }

    static void assertLasts(double seconds, long reportedNs) {
        assertThat(seconds).isCloseTo(reportedNs / 1e9, within(1.0));
        assertThat(seconds).isCloseTo(SECONDS, within(1.5));
    }

    static JsonNode manifest(Path dir, EgressInfo info) throws Exception {
        Path m = dir.resolve(info.getEgressId() + ".json");
        assertThat(m).exists();
        return new ObjectMapper().readTree(m.toFile());
    }

    @Test
    void mp4File() throws Exception {
        EgressInfo info = recorder.record(media("tone=440").addFileOutputs(EncodedFileOutput.newBuilder()
                .setFilepath("rec/{time}.mp4")), SECONDS);
        FileInfo f = info.getFileResults(0);
        Path mp4 = Path.of(f.getLocation());
        MediaProbe probe = MediaProbe.of(mp4);
        assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
        assertThat(probe.video().orElseThrow().width()).isEqualTo(1280);
        assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");
        assertThat(probe.audio().orElseThrow().channels()).isEqualTo(2);
        assertLasts(probe.duration(), f.getDuration());
        assertThat(f.getSize()).isEqualTo(Files.size(mp4));
        JsonNode m = manifest(mp4.getParent(), info);
        assertThat(m.path("files").get(0).path("location").asText()).isEqualTo(f.getLocation());
        assertThat(info.getFile()).isEqualTo(f);
    }

    /**
     * A recording stopped as soon as it is ACTIVE is still an ordinary MP4 that decodes, not a fragmented one; its
     * video track may be missing (the encoder may not have put out a frame yet), its sound is there.
     */
    @Test
    void mp4StoppedRightAfterItStarts() throws Exception {
        Recorder.Running r = recorder.start(media("tone=440").addFileOutputs(EncodedFileOutput.newBuilder()
                .setFilepath("short.mp4")));
        r.awaitActive();
        EgressInfo info = r.stopAndAwait();
        assertThat(info.getStatus()).as(info.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        Path mp4 = Path.of(info.getFileResults(0).getLocation());
        assertThat(topLevelBoxes(mp4)).contains("moov", "mdat").doesNotContain("moof");
        MediaProbe probe = MediaProbe.of(mp4);
        assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");
        probe.video().ifPresent(v -> assertThat(v.codec()).isEqualTo("h264"));
        assertThat(probe.duration()).isCloseTo(info.getFileResults(0).getDuration() / 1e9, within(1.0));
    }

    /** The types of an MP4's top-level boxes, in file order. */
    static List<String> topLevelBoxes(Path mp4) throws java.io.IOException {
        List<String> types = new java.util.ArrayList<>();
        try (var ch = java.nio.channels.FileChannel.open(mp4)) {
            long pos = 0;
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(16);
            while (pos + 8 <= ch.size()) {
                head.clear();
                ch.read(head, pos);
                head.flip();
                long size = Integer.toUnsignedLong(head.getInt());
                byte[] type = new byte[4];
                head.get(type);
                if (size == 1) {
                    size = head.getLong();
                } else if (size == 0) {
                    size = ch.size() - pos;
                }
                types.add(new String(type, java.nio.charset.StandardCharsets.ISO_8859_1));
                if (size < 8) {
                    break;
                }
                pos += size;
            }
        }
        return types;
    }

    @Test
    void audioOnlyOggAndMp3() throws Exception {
        EgressInfo ogg = recorder.record(media("tone=880").setAudioOnly(true).addFileOutputs(
                EncodedFileOutput.newBuilder().setFilepath("a.ogg")), SECONDS);
        MediaProbe o = MediaProbe.of(Path.of(ogg.getFileResults(0).getLocation()));
        assertThat(o.audio().orElseThrow().codec()).isEqualTo("opus");
        assertThat(o.video()).isEmpty();
        assertLasts(o.duration(), ogg.getFileResults(0).getDuration());

        EgressInfo mp3 = recorder.record(media("tone=880").setAudioOnly(true).addFileOutputs(
                EncodedFileOutput.newBuilder().setFileType(EncodedFileType.MP3).setFilepath("a.mp3")), SECONDS);
        MediaProbe m = MediaProbe.of(Path.of(mp3.getFileResults(0).getLocation()));
        assertThat(m.audio().orElseThrow().codec()).isEqualTo("mp3");
        assertLasts(m.duration(), mp3.getFileResults(0).getDuration());
    }

    @Test
    void hlsSegmentsAndPlaylists() throws Exception {
        EgressInfo info = recorder.record(media("").addSegmentOutputs(SegmentedFileOutput.newBuilder()
                .setFilenamePrefix("hls/seg").setPlaylistName("hls/index").setLivePlaylistName("hls/live")
                .setSegmentDuration(2)), SECONDS);
        SegmentsInfo s = info.getSegmentResults(0);
        assertThat(s.getPlaylistName()).isEqualTo("hls/index.m3u8");
        assertThat(info.getSegments()).isEqualTo(s);
        M3u8 event = M3u8.read(Path.of(s.getPlaylistLocation()));
        assertThat(event.type()).isEqualTo("EVENT");
        assertThat(event.ended()).isTrue();
        assertThat(event.targetDuration()).isEqualTo(2);
        double seconds = s.getDuration() / 1e9;
        assertThat(event.entries().size()).isCloseTo((int) Math.ceil(seconds / 2), within(1));
        assertThat(s.getSegmentCount()).isEqualTo(event.entries().size());
        assertThat(s.getSize()).isPositive();
        for (int i = 1; i < event.entries().size(); i++) {
            M3u8.Entry prev = event.entries().get(i - 1);
            M3u8.Entry e = event.entries().get(i);
            double delta = Duration.between(prev.programDate(), e.programDate()).toNanos() / 1e9;
            assertThat(delta).as("PDT delta of %s", e.uri()).isCloseTo(prev.duration(), within(0.05));
            assertThat(Duration.between(e.programDate(), Instant.now()).toSeconds()).isLessThan(120);
        }
        Path playlistDir = Path.of(s.getPlaylistLocation()).getParent();
        for (M3u8.Entry e : event.entries()) {
            MediaProbe seg = MediaProbe.of(playlistDir.resolve(e.uri()));
            assertThat(seg.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(seg.audio().orElseThrow().codec()).isEqualTo("aac");
        }
        MediaProbe whole = MediaProbe.of(Path.of(s.getPlaylistLocation()));
        assertLasts(whole.duration(), s.getDuration());
        M3u8 live = M3u8.read(Path.of(s.getLivePlaylistLocation()));
        assertThat(live.type()).isEmpty();
        assertThat(live.ended()).isTrue();
        assertThat(live.entries().size()).isBetween(1, 5);
        assertThat(live.entries()).isEqualTo(event.entries().subList(event.entries().size() - live.entries().size(),
                event.entries().size()));
        JsonNode m = manifest(playlistDir, info);
        assertThat(m.path("playlists").get(0).path("segments").size()).isEqualTo(event.entries().size());
        assertThat(m.path("playlists").get(0).path("location").asText()).isEqualTo(s.getPlaylistLocation());
    }

    @Test
    void timestampSuffixedSegmentsAreNamedAfterTheirProgramDate() throws Exception {
        EgressInfo info = recorder.record(media("").setAudioOnly(true).setAdvanced(EncodingOptions.newBuilder()
                .setAudioCodec(org.jegress.api.livekit.AudioCodec.AAC)).addSegmentOutputs(SegmentedFileOutput
                .newBuilder().setFilenamePrefix("ts/a").setFilenameSuffix(SegmentedFileSuffix.TIMESTAMP)
                .setSegmentDuration(2)), 4);
        M3u8 event = M3u8.read(Path.of(info.getSegmentResults(0).getPlaylistLocation()));
        DateTimeFormatter name = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS");
        assertThat(event.entries()).isNotEmpty();
        for (M3u8.Entry e : event.entries()) {
            String stamp = e.uri().substring("a_".length(), e.uri().length() - ".ts".length());
            Instant fromName = LocalDateTime.parse(stamp, name).toInstant(ZoneOffset.UTC);
            assertThat(Math.abs(Duration.between(fromName, e.programDate()).toMillis())).isLessThanOrEqualTo(1);
            MediaProbe seg = MediaProbe.of(Path.of(info.getSegmentResults(0).getPlaylistLocation()).getParent()
                    .resolve(e.uri()));
            // The PMT says AAC in every segment; ffprobe guesses "mp2" for a stop-cut tail of one or two frames
            if (e.duration() > 0.25) {
                assertThat(seg.audio().orElseThrow().codec()).isEqualTo("aac");
            } else {
                assertThat(seg.audio()).isPresent();
            }
            assertThat(seg.video()).isEmpty();
        }
    }

    @Test
    void imagesEverySecondInThreeNamings() throws Exception {
        EgressInfo info = recorder.record(media("").addImageOutputs(ImageOutput.newBuilder().setCaptureInterval(1)
                .setWidth(320).setHeight(180).setFilenamePrefix("img/i"))
                .addImageOutputs(ImageOutput.newBuilder().setCaptureInterval(2).setFilenamePrefix("img/t")
                        .setFilenameSuffix(ImageFileSuffix.IMAGE_SUFFIX_TIMESTAMP))
                .addImageOutputs(ImageOutput.newBuilder().setCaptureInterval(1).setFilenamePrefix("img/latest")
                        .setFilenameSuffix(ImageFileSuffix.IMAGE_SUFFIX_NONE_OVERWRITE)), SECONDS);
        ImagesInfo index = info.getImageResults(0);
        assertThat(index.getFilenamePrefix()).isEqualTo("img/i");
        assertThat(index.getImageCount()).isBetween((long) SECONDS - 1, (long) SECONDS + 2);
        Path imgDir = dir.resolve("img");
        MediaProbe first = MediaProbe.of(imgDir.resolve("i_00000.jpeg"));
        assertThat(first.video().orElseThrow().codec()).isEqualTo("mjpeg");
        assertThat(first.video().orElseThrow().width()).isEqualTo(320);
        assertThat(first.video().orElseThrow().height()).isEqualTo(180);
        assertThat(imgDir.resolve(String.format("i_%05d.jpeg", index.getImageCount() - 1))).exists();
        try (Stream<Path> files = Files.list(imgDir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names.stream().filter(n -> n.matches("t_\\d{17}\\.jpeg"))).hasSize(
                    (int) info.getImageResults(1).getImageCount());
            assertThat(names).contains("latest.jpeg");
            assertThat(names.stream().filter(n -> n.startsWith("latest"))).hasSize(1);
        }
        // the picture is the full frame (1280x720) unless asked otherwise
        assertThat(MediaProbe.of(imgDir.resolve("latest.jpeg")).video().orElseThrow().width()).isEqualTo(1280);
        assertThat(info.getImageResults(2).getImageCount()).isGreaterThan(2);
        JsonNode m = manifest(imgDir, info);
        assertThat(m.path("images").size()).isEqualTo((int) (index.getImageCount()
                + info.getImageResults(1).getImageCount() + info.getImageResults(2).getImageCount()));
        assertThat(m.path("images").get(0).path("timestamp").asText()).endsWith("Z");
    }

    @Test
    void rtmpWithAFixedKeyFrameInterval() throws Exception {
        try (RtmpServer rtmp = RtmpServer.start(dir.resolve("nginx"))) {
            EgressInfo info = recorder.record(media("").setAdvanced(EncodingOptions.newBuilder()
                    .setKeyFrameInterval(2)).addStreamOutputs(StreamOutput.newBuilder().addUrls(rtmp.url("live1"))),
                    SECONDS);
            StreamInfo s = info.getStreamResults(0);
            assertThat(s.getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
            assertThat(s.getUrl()).isEqualTo("rtmp://127.0.0.1:" + rtmp.port() + "/live/{l...1}");
            assertThat(s.getStartedAt()).isPositive();
            assertThat(s.getEndedAt()).isGreaterThan(s.getStartedAt());
            assertThat(s.getDuration()).isEqualTo(s.getEndedAt() - s.getStartedAt());
            assertThat(info.getStream().getInfoList()).containsExactly(s);
            Path flv = rtmp.recordings("live1").get(0);
            MediaProbe probe = MediaProbe.of(flv);
            assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");
            assertThat(probe.duration()).isCloseTo(s.getDuration() / 1e9, within(1.0));
            List<Double> gaps = KeyFrames.intervals(KeyFrames.of(flv));
            assertThat(gaps).isNotEmpty().allSatisfy(g -> assertThat(g).isCloseTo(2.0, within(0.02)));
        }
    }

    @Test
    void srt() throws Exception {
        try (SrtListener srt = SrtListener.start(dir.resolve("srt.ts"))) {
            EgressInfo info = recorder.record(media("").addStreamOutputs(StreamOutput.newBuilder()
                    .addUrls(srt.url())), SECONDS);
            StreamInfo s = info.getStreamResults(0);
            assertThat(s.getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
            MediaProbe probe = MediaProbe.of(srt.output());
            assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");
            assertThat(probe.duration()).isCloseTo(SECONDS, within(1.5));
        }
    }

    @Test
    void fileStreamSegmentsAndImagesFromOneEncode() throws Exception {
        try (RtmpServer rtmp = RtmpServer.start(dir.resolve("nginx"))) {
            EgressInfo info = recorder.record(media("").addFileOutputs(EncodedFileOutput.newBuilder()
                    .setFilepath("all/file.mp4")).addStreamOutputs(StreamOutput.newBuilder().addUrls(rtmp.url("all")))
                    .addSegmentOutputs(SegmentedFileOutput.newBuilder().setFilenamePrefix("all/seg")
                            .setSegmentDuration(2))
                    .addImageOutputs(ImageOutput.newBuilder().setCaptureInterval(2).setFilenamePrefix("all/img")),
                    SECONDS);
            assertThat(MediaProbe.of(dir.resolve("all/file.mp4")).video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(MediaProbe.of(rtmp.recordings("all").get(0)).video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(M3u8.read(Path.of(info.getSegmentResults(0).getPlaylistLocation())).entries()).isNotEmpty();
            assertThat(info.getImageResults(0).getImageCount()).isPositive();
            assertThat(info.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
            // one manifest in the shared directory lists every output
            JsonNode m = manifest(dir.resolve("all"), info);
            assertThat(m.path("files").size()).isEqualTo(1);
            assertThat(m.path("playlists").size()).isEqualTo(1);
            assertThat(m.path("images").size()).isEqualTo((int) info.getImageResults(0).getImageCount());
            assertThat(info.getResultCase()).isEqualTo(EgressInfo.ResultCase.RESULT_NOT_SET);
        }
    }
}
