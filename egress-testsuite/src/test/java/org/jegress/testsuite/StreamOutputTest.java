package org.jegress.testsuite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.testsuite.media.M3u8;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.RtmpServer;
import org.jegress.testsuite.servers.StallingProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream outputs as upstream's Stream and edge-case groups check them, shortened: destinations that fail alone,
 * UpdateStream adding and removing destinations while recording, the last destination going, wedged and rejecting
 * receivers. Every receiver is a real nginx-rtmp on loopback.
 */
@Tag("gst")
class StreamOutputTest {

    @TempDir
    Path dir;
    private Recorder recorder;
    private RtmpServer rtmp;
    private String bad1;
    private String bad2;

    @BeforeEach
    void setUp() throws Exception {
        recorder = new Recorder(dir);
        rtmp = RtmpServer.start(dir.resolve("nginx"));
        // nothing listens on a port of a closed server socket
        bad1 = "rtmp://127.0.0.1:" + org.jegress.testsuite.servers.Ports.freeTcp() + "/wrong/stream";
        bad2 = "rtmp://127.0.0.1:" + org.jegress.testsuite.servers.Ports.freeTcp() + "/wrong/stream2";
    }

    @AfterEach
    void tearDown() {
        rtmp.close();
    }

    static WebEgressRequest.Builder media() {
        return WebEgressRequest.newBuilder().setUrl(TestSources.url(""));
    }

    private static StreamInfo stream(EgressInfo info, String redacted) {
        return find(info, redacted).orElseThrow(
                () -> new AssertionError("no stream " + redacted + " in " + info.getStreamResultsList()));
    }

    private static java.util.Optional<StreamInfo> find(EgressInfo info, String redacted) {
        return info.getStreamResultsList().stream().filter(s -> s.getUrl().equals(redacted)).reduce((a, b) -> b);
    }

    private static boolean has(EgressInfo info, String redacted, StreamInfo.Status status, boolean started) {
        return find(info, redacted).filter(s -> s.getStatus() == status && (!started || s.getStartedAt() > 0))
                .isPresent();
    }

    private String redacted(String key) {
        return org.jegress.api.plan.Redaction.streamUrl(rtmp.url(key));
    }

    /** Upstream's stream flow: [good, bad] → ACTIVE + FAILED; add [good2, bad2]; remove good1 → FINISHED. */
    @Test
    void destinationsFailAloneAndComeAndGoWhileRecording() throws Exception {
        Recorder.Running r = recorder.start(media().addStreamOutputs(StreamOutput.newBuilder()
                .addUrls(rtmp.url("good1")).addUrls(bad1)));
        r.awaitActive();
        EgressInfo afterStart = r.await(i -> has(i, org.jegress.api.plan.Redaction.streamUrl(bad1),
                StreamInfo.Status.FAILED, false) && has(i, redacted("good1"), StreamInfo.Status.ACTIVE, true),
                Duration.ofSeconds(10));
        assertThat(stream(afterStart, redacted("good1")).getStatus()).isEqualTo(StreamInfo.Status.ACTIVE);
        StreamInfo failed = stream(afterStart, org.jegress.api.plan.Redaction.streamUrl(bad1));
        assertThat(failed.getError()).contains("Connection refused");
        assertThat(failed.getEndedAt()).isPositive();

        Recorder.sleep(Duration.ofSeconds(3));
        EgressInfo added = r.handle.updateStream(List.of(rtmp.url("good2"), bad2), List.of());
        assertThat(added.getStreamResultsCount()).isEqualTo(4);
        EgressInfo settled = r.await(i -> has(i, org.jegress.api.plan.Redaction.streamUrl(bad2),
                StreamInfo.Status.FAILED, false) && has(i, redacted("good2"), StreamInfo.Status.ACTIVE, true),
                Duration.ofSeconds(10));
        assertThat(stream(settled, redacted("good2")).getStatus()).isEqualTo(StreamInfo.Status.ACTIVE);

        Recorder.sleep(Duration.ofSeconds(3));
        // removed by the URL the results report, with its key redacted
        EgressInfo removed = r.handle.updateStream(List.of(), List.of(redacted("good1")));
        assertThat(stream(removed, redacted("good1")).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
        assertThat(r.handle.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        Recorder.sleep(Duration.ofSeconds(3));

        EgressInfo end = r.stopAndAwait();
        assertThat(end.getStatus()).as(end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(end.getError()).isEmpty();
        assertThat(end.getStreamResultsCount()).isEqualTo(4);
        for (StreamInfo s : end.getStreamResultsList()) {
            assertThat(s.getStartedAt()).isPositive();
            assertThat(s.getEndedAt()).isPositive();
        }
        StreamInfo good1 = stream(end, redacted("good1"));
        StreamInfo good2 = stream(end, redacted("good2"));
        assertThat(good1.getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
        assertThat(good2.getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
        assertThat(good1.getDuration()).isGreaterThan(5_000_000_000L);
        assertThat(good2.getDuration()).isGreaterThan(5_000_000_000L);
        // what the receiver got plays as long as reported
        assertThat(MediaProbe.of(rtmp.recordings("good1").get(0)).duration())
                .isCloseTo(good1.getDuration() / 1e9, within(1.5));
        assertThat(MediaProbe.of(rtmp.recordings("good2").get(0)).video().orElseThrow().codec()).isEqualTo("h264");
    }

    @Test
    void onlyABadUrlFailsTheEgress() throws Exception {
        Recorder.Running r = recorder.start(media().addStreamOutputs(StreamOutput.newBuilder().addUrls(bad1)));
        EgressInfo end = r.awaitEnd();
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(end.getError()).contains("Connection refused");
        assertThat(end.getErrorCode()).isEqualTo(503);
        assertThat(end.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FAILED);
        assertThat(end.getStreamResults(0).getError()).isNotEmpty();
    }

    @Test
    void anSrtUrlNobodyListensOnFailsTheEgress() throws Exception {
        String srt = "srt://127.0.0.1:" + org.jegress.testsuite.servers.Ports.freeUdp();
        Recorder.Running r = recorder.start(media().addStreamOutputs(StreamOutput.newBuilder().addUrls(srt)));
        EgressInfo end = r.awaitEnd();
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(end.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FAILED);
    }

    /** Upstream EmptyStreamBin: the stream output loses its last URL while segments go on. */
    @Test
    void removingTheLastUrlKeepsTheOtherOutputsGoing() throws Exception {
        Recorder.Running r = recorder.start(media().addStreamOutputs(StreamOutput.newBuilder()
                .addUrls(rtmp.url("only")).addUrls(bad1)).addSegmentOutputs(SegmentedFileOutput.newBuilder()
                .setFilenamePrefix("hls/s").setSegmentDuration(2)));
        r.awaitActive();
        Recorder.sleep(Duration.ofSeconds(4));
        r.handle.updateStream(List.of(), List.of(rtmp.url("only")));
        Recorder.sleep(Duration.ofSeconds(3));
        assertThat(r.handle.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        EgressInfo end = r.stopAndAwait();
        assertThat(end.getStatus()).as(end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(stream(end, redacted("only")).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
        assertThat(stream(end, org.jegress.api.plan.Redaction.streamUrl(bad1)).getStatus())
                .isEqualTo(StreamInfo.Status.FAILED);
        M3u8 playlist = M3u8.read(Path.of(end.getSegmentResults(0).getPlaylistLocation()));
        assertThat(playlist.ended()).isTrue();
        assertThat(playlist.entries().size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void removingTheOnlyOutputEndsTheEgressComplete() throws Exception {
        Recorder.Running r = recorder.start(media().addStreamOutputs(StreamOutput.newBuilder()
                .addUrls(rtmp.url("alone"))));
        r.awaitActive();
        Recorder.sleep(Duration.ofSeconds(2));
        r.handle.updateStream(List.of(), List.of(rtmp.url("alone")));
        EgressInfo end = r.awaitEnd();
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(end.getDetails()).isEqualTo("End reason: All streams stopped");
        assertThat(end.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
    }

    @Test
    void badUpdateStreamRequests() throws Exception {
        Recorder.Running file = recorder.start(media().addFileOutputs(EncodedFileOutput.newBuilder()
                .setFilepath("f.mp4")));
        file.awaitActive();
        assertThatThrownBy(() -> file.handle.updateStream(List.of(rtmp.url("x")), List.of()))
                .isInstanceOf(EgressException.class).hasMessage("UpdateStream called on non-streaming egress");
        file.stopAndAwait();

        Recorder.Running r = recorder.start(media().addStreamOutputs(StreamOutput.newBuilder()
                .addUrls(rtmp.url("u1"))));
        r.awaitActive();
        assertThatThrownBy(() -> r.handle.updateStream(List.of(), List.of(rtmp.url("nope"))))
                .isInstanceOf(EgressException.class).hasMessage("stream " + rtmp.url("nope") + " not found");
        assertThatThrownBy(() -> r.handle.updateStream(List.of("srt://127.0.0.1:9"), List.of()))
                .isInstanceOf(EgressException.class).hasMessage("invalid url srt://127.0.0.1:9: invalid scheme");
        assertThatThrownBy(() -> r.handle.updateStream(List.of(rtmp.url("u1")), List.of()))
                .isInstanceOf(EgressException.class).hasMessageContaining("stream already exists");
        // the ones that work take effect, the others are reported one per line
        assertThatThrownBy(() -> r.handle.updateStream(List.of(rtmp.url("u2"), "http://x/y/z"), List.of("rtmp://h/a/b")))
                .isInstanceOf(EgressException.class).hasMessageContaining("\n");
        assertThat(r.handle.info().getStreamResultsCount()).isEqualTo(2);
        EgressInfo end = r.stopAndAwait();
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
    }

    /**
     * Upstream RtmpSilentWedge and RtmpPublishReject, side by side (each waits out the 30 s rules): a receiver that
     * stops reading fails its stream through the liveness watch; a receiver that drops the stream and refuses every
     * republish fails it once it has been down for 30 s. A file next to the wedged stream is unaffected.
     */
    @Test
    void wedgedAndRejectingReceiversFailTheirStreams() throws Exception {
        AtomicInteger publishes = new AtomicInteger();
        HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/publish", ex -> {
            int n = publishes.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            int status = n == 1 ? 200 : 403;
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        hook.start();
        try (RtmpServer rejecting = RtmpServer.start(dir.resolve("nginx-hook"),
                "http://127.0.0.1:" + hook.getAddress().getPort() + "/publish");
             StallingProxy proxy = new StallingProxy(rtmp.port())) {
            String wedgeUrl = "rtmp://127.0.0.1:" + proxy.port() + "/live/wedge";
            Recorder.Running wedged = recorder.start(media().addFileOutputs(EncodedFileOutput.newBuilder()
                    .setFilepath("beside.mp4")).addStreamOutputs(StreamOutput.newBuilder().addUrls(wedgeUrl)));
            Recorder.Running rejected = recorder.start(media().addStreamOutputs(StreamOutput.newBuilder()
                    .addUrls(rejecting.url("reject"))));
            wedged.awaitActive();
            rejected.awaitActive();
            Recorder.sleep(Duration.ofSeconds(6));
            proxy.stall();
            rejecting.dropPublisher("reject");
            long stalledAt = System.nanoTime();

            // O14: within 45 s, by the liveness watch or because reconnecting through the wedge never succeeds
            EgressInfo wedgeFailed = wedged.await(i -> i.getStreamResults(0).getStatus() == StreamInfo.Status.FAILED,
                    Duration.ofSeconds(60));
            assertThat((System.nanoTime() - stalledAt) / 1e9).isLessThan(45);
            assertThat(wedgeFailed.getStreamResults(0).getError()).isNotEmpty();
            EgressInfo rejectEnd = rejected.awaitEnd();
            assertThat(rejectEnd.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
            assertThat(rejectEnd.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FAILED);
            assertThat(rejectEnd.getStreamResults(0).getRetries()).isPositive();
            assertThat(publishes.get()).isGreaterThanOrEqualTo(2);

            // the file kept recording while its neighbour wedged, and the egress completes with it
            assertThat(wedged.handle.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
            EgressInfo wedgeEnd = wedged.stopAndAwait();
            assertThat(wedgeEnd.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
            MediaProbe beside = MediaProbe.of(Path.of(wedgeEnd.getFileResults(0).getLocation()));
            assertThat(beside.duration()).isGreaterThan(30);
            assertThat(wedgeEnd.getFileResults(0).getDuration() / 1e9).isCloseTo(beside.duration(), within(1.0));
        } finally {
            hook.stop(0);
        }
    }
}
