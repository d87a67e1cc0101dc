package org.jegress.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.AudioCodec;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.EncodingOptions;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.testsuite.media.AudioAnalysis;
import org.jegress.testsuite.media.AvMarks;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.media.Mp4Boxes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Web egress end to end with the real parts: a page served here, Chromium on Xvfb with PulseAudio, GStreamer,
 * files judged by decoding them.
 */
@Tag("browser")
class WebEgressTest {

    private static TestPages pages;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;
    private EgressOptions options;

    @BeforeAll
    static void servePages() throws Exception {
        pages = new TestPages();
    }

    @AfterAll
    static void stopPages() {
        pages.close();
    }

    @BeforeEach
    void setUp() {
        options = EgressOptions.defaults().withOutputDirectory(dir).withWorkRoot(dir.resolve("work"));
    }

    @AfterEach
    void nothingLeftRunning() throws Exception {
        assertThat(LeftoverProcesses.awaitGone(dir.toString(), 5000)).isEmpty();
    }

    @Test
    void recordsPageToMp4WithH264AndAac() throws Exception {
        Recorded r = record(request(pages.demo("tone=440"), "page.mp4", EncodedFileType.MP4), 6);

        assertThat(r.info.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(r.statuses).containsExactly(EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING,
                EgressStatus.EGRESS_COMPLETE);
        assertThat(r.info.getDetails()).isEqualTo("End reason: StopEgress API");
        assertThat(r.info.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_WEB);
        assertThat(r.info.getRoomName()).isEmpty();
        FileInfo file = r.info.getFileResults(0);
        assertThat(file.getFilename()).isEqualTo("page.mp4");
        Path mp4 = Path.of(file.getLocation());
        assertThat(mp4).isEqualTo(dir.resolve("page.mp4"));
        assertThat(file.getSize()).isEqualTo(Files.size(mp4));

        MediaProbe probe = MediaProbe.of(mp4);
        MediaProbe.Stream video = probe.video().orElseThrow();
        assertThat(video.codec()).isEqualTo("h264");
        assertThat(video.profile()).isEqualTo("Main");
        assertThat(video.width()).isEqualTo(1280);
        assertThat(video.height()).isEqualTo(720);
        assertThat(video.frameRate()).isCloseTo(30.0, within(0.5));
        MediaProbe.Stream audio = probe.audio().orElseThrow();
        assertThat(audio.codec()).isEqualTo("aac");
        assertThat(audio.sampleRate()).isEqualTo(44_100);
        assertThat(audio.channels()).isEqualTo(2);
        assertAudible(mp4, 440);
        assertDuration(probe, file, r);
        assertManifest(r.info, mp4);
        // Recorded fragmented for crash safety; a clean stop leaves an ordinary MP4: one moov, no fragments.
        assertThat(Mp4Boxes.topLevel(mp4)).contains("moov").doesNotContain("moof");
    }

    @Test
    void recordsAudioOnlyPageToOggOpusByDefault() throws Exception {
        WebEgressRequest req = WebEgressRequest.newBuilder()
                .setUrl(pages.demo("tone=880"))
                .setAudioOnly(true)
                .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("audio/{time}"))
                .build();
        Recorded r = record(req, 5);

        assertThat(r.info.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        FileInfo file = r.info.getFileResults(0);
        assertThat(file.getFilename()).startsWith("audio/").endsWith(".ogg");
        Path ogg = Path.of(file.getLocation());
        MediaProbe probe = MediaProbe.of(ogg);
        assertThat(probe.video()).isEmpty();
        MediaProbe.Stream audio = probe.audio().orElseThrow();
        assertThat(audio.codec()).isEqualTo("opus");
        assertThat(audio.sampleRate()).isEqualTo(48_000);
        assertThat(audio.channels()).isEqualTo(2);
        assertAudible(ogg, 880);
        assertDuration(probe, file, r);
        assertManifest(r.info, ogg);
    }

    @Test
    void recordsAudioOnlyPageToMp3WithXingHeader() throws Exception {
        WebEgressRequest req = WebEgressRequest.newBuilder()
                .setUrl(pages.demo("tone=660"))
                .setAudioOnly(true)
                .setAdvanced(EncodingOptions.newBuilder().setAudioCodec(AudioCodec.AC_MP3))
                .addFileOutputs(EncodedFileOutput.newBuilder().setFileType(EncodedFileType.MP3)
                        .setFilepath("tone.ogg"))
                .build();
        Recorded r = record(req, 5);

        assertThat(r.info.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        FileInfo file = r.info.getFileResults(0);
        // A known but wrong extension is replaced, as upstream does.
        assertThat(file.getFilename()).isEqualTo("tone.mp3");
        Path mp3 = Path.of(file.getLocation());
        MediaProbe probe = MediaProbe.of(mp3);
        MediaProbe.Stream audio = probe.audio().orElseThrow();
        assertThat(audio.codec()).isEqualTo("mp3");
        assertThat(audio.sampleRate()).isEqualTo(44_100);
        assertThat(audio.channels()).isEqualTo(2);
        assertThat(audio.bitRate()).isBetween(123_000L, 133_000L);
        assertThat(Xing.frames(mp3)).as("Xing/Info frame count").isPositive();
        assertThat(Xing.frames(mp3) * 1152.0 / 44_100).isCloseTo(probe.duration(), within(0.1));
        assertAudible(mp3, 660);
        assertDuration(probe, file, r);
    }

    @Test
    void videoOnlyRecordingHasNoAudioStream() throws Exception {
        WebEgressRequest req = request(pages.demo(""), "silent-film", EncodedFileType.DEFAULT_FILETYPE)
                .toBuilder().setVideoOnly(true).build();
        Recorded r = record(req, 4);

        assertThat(r.info.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        Path mp4 = Path.of(r.info.getFileResults(0).getLocation());
        assertThat(mp4.getFileName().toString()).isEqualTo("silent-film.mp4");
        MediaProbe probe = MediaProbe.of(mp4);
        assertThat(probe.audio()).isEmpty();
        assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
    }

    @Test
    void waitsForStartSignalAndEndsWhenThePageSaysSo() throws Exception {
        WebEgressRequest req = request(pages.demo("await=1&end=4"), "signals.mp4", EncodedFileType.MP4)
                .toBuilder().setAwaitStartSignal(true).build();
        EgressHandle h = Egress.start(req, options);
        EgressInfo done = h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();

        assertThat(done.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(done.getDetails()).isEqualTo("End reason: Source closed");
        MediaProbe probe = MediaProbe.of(Path.of(done.getFileResults(0).getLocation()));
        // START_RECORDING comes 0.5 s after load, END_RECORDING 4 s after load.
        assertThat(probe.duration()).isCloseTo(3.5, within(1.0));
    }

    @Test
    void pageThatNeverSignalsStartIsAbortedOnStop() throws Exception {
        WebEgressRequest req = request(pages.demo(""), "never.mp4", EncodedFileType.MP4)
                .toBuilder().setAwaitStartSignal(true).build();
        EgressHandle h = Egress.start(req, options);
        Thread.sleep(4000);
        assertThat(h.info().getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);

        EgressInfo stopping = h.stop();
        assertThat(stopping.getStatus()).isEqualTo(EgressStatus.EGRESS_ABORTED);
        EgressInfo done = h.awaitCompletion(Duration.ofSeconds(30)).orElseThrow();
        assertThat(done.getStatus()).isEqualTo(EgressStatus.EGRESS_ABORTED);
        assertThat(done.getError()).isEqualTo("Start signal not received");
        assertThat(done.getErrorCode()).isEqualTo(412);
        assertThat(done.getEndedAt()).isPositive();
        assertThat(dir.resolve("never.mp4")).doesNotExist();
    }

    @Test
    void pageThatAnswers404FailsWithPageLoadError() throws Exception {
        EgressHandle h = Egress.start(request(pages.missing(), "x.mp4", EncodedFileType.MP4), options);
        EgressInfo done = h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();

        assertThat(done.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(done.getError()).isEqualTo("page load error: Not Found");
        assertThat(done.getErrorCode()).isEqualTo(400);
        assertThat(done.getDetails()).isEqualTo("End reason: Failure");
    }

    @Test
    void templateErrorOnThePageFailsTheEgress() throws Exception {
        EgressHandle h = Egress.start(request(pages.demo("error=room%20not%20found"), "x.mp4",
                EncodedFileType.MP4), options);
        EgressInfo done = h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();

        assertThat(done.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(done.getError()).isEqualTo("template error: room not found");
    }

    @Test
    void invalidRequestsAreRefusedBeforeAnythingStarts() {
        for (String url : List.of("file:///etc/passwd", "ftp://example.com/x", "not a url", "")) {
            assertThatThrownBy(() -> Egress.start(request(url, "x.mp4", EncodedFileType.MP4), options))
                    .isInstanceOf(EgressException.class)
                    .hasMessage("request has missing or invalid field: web url");
        }
        WebEgressRequest mp3WithVideo = request(pages.demo(""), "x.mp3", EncodedFileType.MP3);
        assertThatThrownBy(() -> Egress.start(mp3WithVideo, options))
                .hasMessage("format audio/mpeg incompatible with codec video/h264");
        WebEgressRequest oddWidth = request(pages.demo(""), "x.mp4", EncodedFileType.MP4).toBuilder()
                .setAdvanced(EncodingOptions.newBuilder().setWidth(1279)).build();
        assertThatThrownBy(() -> Egress.start(oddWidth, options))
                .hasMessage("request has missing or invalid field: width");
        WebEgressRequest noOutput = WebEgressRequest.newBuilder().setUrl(pages.demo("")).build();
        assertThatThrownBy(() -> Egress.start(noOutput, options))
                .hasMessage("request has missing or invalid field: output");
    }

    @Test
    void pathsCannotEscapeTheOutputDirectory() throws Exception {
        WebEgressRequest req = request(pages.demo(""), "../../escape/{time}.mp4", EncodedFileType.MP4)
                .toBuilder().setAudioOnly(true).build();
        Recorded r = record(req, 2);

        Path location = Path.of(r.info.getFileResults(0).getLocation());
        assertThat(location.normalize()).startsWith(dir);
        assertThat(r.info.getFileResults(0).getFilename()).startsWith("escape/");
    }

    @Test
    void sessionLimitEndsWithLimitReachedAndAFinalisedFile() throws Exception {
        options = options.withConfig(org.jegress.api.config.ConfigLoader.parse(
                "session_limits:\n  file_output_max_duration: 3s\n", java.util.Map.of()));
        EgressHandle h = Egress.start(request(pages.demo(""), "limited.mp4", EncodedFileType.MP4), options);
        EgressInfo done = h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();

        assertThat(done.getStatus()).isEqualTo(EgressStatus.EGRESS_LIMIT_REACHED);
        assertThat(done.getError()).isEqualTo("Session limit reached");
        assertThat(done.getErrorCode()).isEqualTo(413);
        assertThat(done.getDetails()).isEqualTo("End reason: Session limit reached");
        MediaProbe probe = MediaProbe.of(Path.of(done.getFileResults(0).getLocation()));
        assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
        assertThat(done.getManifestLocation()).isNotEmpty();
    }

    @Test
    void sizeLimitEndsWithLimitReached() throws Exception {
        options = options.withSizeCheckInterval(Duration.ofMillis(500)).withConfig(
                org.jegress.api.config.ConfigLoader.parse("session_limits:\n  file_output_max_size: 300000\n",
                        java.util.Map.of()));
        EgressHandle h = Egress.start(request(pages.demo(""), "big.mp4", EncodedFileType.MP4), options);
        EgressInfo done = h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();

        assertThat(done.getStatus()).isEqualTo(EgressStatus.EGRESS_LIMIT_REACHED);
        assertThat(done.getFileResults(0).getSize()).isGreaterThanOrEqualTo(300_000);
        assertThat(MediaProbe.of(Path.of(done.getFileResults(0).getLocation())).video()).isPresent();
    }

    @Test
    void limitBeforeTheStartSignalAborts() throws Exception {
        options = options.withConfig(org.jegress.api.config.ConfigLoader.parse(
                "session_limits:\n  file_output_max_duration: 3s\n", java.util.Map.of()));
        WebEgressRequest req = request(pages.demo(""), "never.mp4", EncodedFileType.MP4)
                .toBuilder().setAwaitStartSignal(true).build();
        EgressInfo done = Egress.start(req, options).awaitCompletion(Duration.ofSeconds(60)).orElseThrow();

        assertThat(done.getStatus()).isEqualTo(EgressStatus.EGRESS_ABORTED);
        assertThat(done.getError()).isEqualTo("Session limit reached before start signal");
        assertThat(done.getErrorCode()).isEqualTo(412);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private record Recorded(EgressInfo info, List<EgressStatus> statuses, double recordedSeconds) {
    }

    /** Upstream's Multi/Web: a page to a file, HLS segments and thumbnails at once, from one encode. */
    @Test
    void recordsPageToAFileSegmentsAndImagesAtOnce() throws Exception {
        WebEgressRequest req = WebEgressRequest.newBuilder()
                .setUrl(pages.demo("tone=440"))
                .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("multi/page.mp4"))
                .addSegmentOutputs(org.jegress.api.livekit.SegmentedFileOutput.newBuilder()
                        .setFilenamePrefix("multi/hls/page").setSegmentDuration(2))
                .addImageOutputs(org.jegress.api.livekit.ImageOutput.newBuilder().setCaptureInterval(2)
                        .setWidth(640).setHeight(360).setFilenamePrefix("multi/img/page"))
                .build();
        Recorded r = record(req, 6);

        assertThat(r.info.getStatus()).as(r.info.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        MediaProbe file = MediaProbe.of(dir.resolve("multi/page.mp4"));
        assertThat(file.video().orElseThrow().codec()).isEqualTo("h264");
        assertThat(file.audio().orElseThrow().codec()).isEqualTo("aac");
        org.jegress.api.livekit.SegmentsInfo seg = r.info.getSegmentResults(0);
        org.jegress.testsuite.media.M3u8 playlist = org.jegress.testsuite.media.M3u8.read(
                Path.of(seg.getPlaylistLocation()));
        assertThat(playlist.ended()).isTrue();
        assertThat(playlist.entries().size()).isCloseTo((int) Math.ceil(seg.getDuration() / 2e9),
                within(1));
        MediaProbe hls = MediaProbe.of(Path.of(seg.getPlaylistLocation()));
        assertThat(hls.video().orElseThrow().width()).isEqualTo(1280);
        assertThat(hls.duration()).isCloseTo(file.duration(), within(1.0));
        assertThat(r.info.getImageResults(0).getImageCount()).isBetween(2L, 5L);
        assertThat(MediaProbe.of(dir.resolve("multi/img/page_00000.jpeg")).video().orElseThrow().width())
                .isEqualTo(640);
        assertAudible(dir.resolve("multi/page.mp4"), 440);
    }

    @Test
    void keepsThePageSoundInSyncWithItsPicture() throws Exception {
        Recorded r = record(request(pages.demo("sync=1"), "sync.mp4", EncodedFileType.MP4), 9);

        assertThat(r.info.getStatus()).as(r.info.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        AvMarks m = AvMarks.of(dir.resolve("sync.mp4"));
        List<Double> offsets = AvMarks.offsets(m.flashes(170), m.beeps(-15));
        System.out.println("web A/V offsets (beep - flash, s): " + offsets);
        assertThat(offsets).as("marks found").hasSizeGreaterThanOrEqualTo(5);
        assertThat(offsets).as("beep vs flash").allSatisfy(o -> assertThat(Math.abs(o)).isLessThanOrEqualTo(0.1));
    }

    private static WebEgressRequest request(String url, String path, EncodedFileType type) {
        return WebEgressRequest.newBuilder()
                .setUrl(url)
                .addFileOutputs(EncodedFileOutput.newBuilder().setFileType(type).setFilepath(path))
                .build();
    }

    /** Starts, waits for ACTIVE, records {@code seconds}, stops and waits for the final state. */
    private Recorded record(WebEgressRequest req, double seconds) throws Exception {
        List<EgressStatus> statuses = new CopyOnWriteArrayList<>();
        CountDownLatch active = new CountDownLatch(1);
        EgressHandle h = Egress.start(req, options);
        h.addListener(info -> {
            statuses.add(info.getStatus());
            if (info.getStatus() == EgressStatus.EGRESS_ACTIVE) {
                active.countDown();
            }
        });
        assertThat(active.await(60, TimeUnit.SECONDS)).as("reached ACTIVE: %s", h.info()).isTrue();
        long t0 = System.nanoTime();
        Thread.sleep(Math.round(seconds * 1000));
        EgressInfo stopping = h.stop();
        double recorded = (System.nanoTime() - t0) / 1e9;
        assertThat(stopping.getStatus()).isEqualTo(EgressStatus.EGRESS_ENDING);
        EgressInfo done = h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();
        return new Recorded(done, statuses, recorded);
    }

    private static void assertAudible(Path file, double hz) throws Exception {
        AudioAnalysis a = AudioAnalysis.of(file, 0);
        // Audio runs from the first instant; the page's own sound joins once Chromium's audio output is up
        // (measured 0.3–1.5 s after the page loaded).
        assertThat(a.left().leadingSilence()).as("silence before the page's sound %s", a).isLessThan(3.0);
        assertThat(a.left().rms()).as("left channel loudness %s", a).isGreaterThan(1000);
        assertThat(a.right().rms()).as("right channel loudness %s", a).isGreaterThan(1000);
        assertThat(a.left().frequency()).as("tone %s", a).isCloseTo(hz, within(hz * 0.02));
        // Clicks and gaps show up as blocks off the tone; a loaded 2-core CI box may cause a few.
        assertThat(a.left().steadyFraction(hz)).as("share of clean 100 ms blocks %s", a).isGreaterThan(0.9);
    }

    /** Container duration within ±1 s of the time between ACTIVE and stop, and of FileInfo.duration. */
    private static void assertDuration(MediaProbe probe, FileInfo file, Recorded r) {
        assertThat(probe.duration()).as("container vs recorded time: %s", probe)
                .isCloseTo(r.recordedSeconds, within(1.0));
        assertThat(probe.duration()).as("container vs FileInfo.duration")
                .isCloseTo(file.getDuration() / 1e9, within(1.0));
        assertThat(file.getEndedAt() - file.getStartedAt()).isEqualTo(file.getDuration());
    }

    private static void assertManifest(EgressInfo info, Path file) throws Exception {
        Path manifest = file.resolveSibling(info.getEgressId() + ".json");
        assertThat(info.getManifestLocation()).isEqualTo(manifest.toString());
        JsonNode m = new ObjectMapper().readTree(manifest.toFile());
        assertThat(m.path("egress_id").asText()).isEqualTo(info.getEgressId());
        assertThat(m.path("files").get(0).path("location").asText()).isEqualTo(file.toString());
        assertThat(m.path("ended_at").asLong()).isPositive();
    }
}
