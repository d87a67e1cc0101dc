package org.jegress.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.testsuite.TestSources;
import org.jegress.testsuite.media.MediaProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The custom sink example, end to end: its scheme is accepted, it receives the encode, it fails alone. */
@Tag("gst")
class TcpStreamSinkTest {

    @TempDir
    Path dir;

    private EgressOptions options() {
        return EgressOptions.defaults().withOutputDirectory(dir).withWorkRoot(dir.resolve("work"))
                .withSourceProvider(new TestSources()).withOutputSinkProvider(new TcpStreamSink.Provider());
    }

    @Test
    void receivesTheEncodedStreamsNextToAFile() throws Exception {
        Path received = dir.resolve("received.ts");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread receiver = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream();
                        OutputStream out = Files.newOutputStream(received)) {
                    in.transferTo(out);
                } catch (Exception e) {
                    // the test judges the file
                }
            });
            receiver.start();
            EgressHandle h = Egress.start(WebEgressRequest.newBuilder().setUrl(TestSources.url(""))
                    .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("beside.mp4"))
                    .addStreamOutputs(StreamOutput.newBuilder().addUrls("tsovertcp://127.0.0.1:" + server.getLocalPort()))
                    .build(), options());
            awaitActive(h);
            Thread.sleep(5000);
            h.stop();
            EgressInfo end = h.awaitCompletion(Duration.ofSeconds(30)).orElseThrow();
            receiver.join(10_000);
            assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
            assertThat(end.getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FINISHED);
            assertThat(end.getStreamResults(0).getUrl()).startsWith("tsovertcp://127.0.0.1:");
            MediaProbe ts = MediaProbe.of(received);
            assertThat(ts.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(ts.audio().orElseThrow().codec()).isEqualTo("aac");
            assertThat(ts.duration()).isCloseTo(5, within(1.5));
        }
    }

    @Test
    void aRefusedConnectionFailsTheStreamAndTheFileGoesOn() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        EgressHandle h = Egress.start(WebEgressRequest.newBuilder().setUrl(TestSources.url(""))
                .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("kept.mp4"))
                .addStreamOutputs(StreamOutput.newBuilder().addUrls("tsovertcp://127.0.0.1:" + closed))
                .build(), options());
        awaitActive(h);
        Thread.sleep(3000);
        assertThat(h.info().getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        assertThat(h.info().getStreamResults(0).getStatus()).isEqualTo(StreamInfo.Status.FAILED);
        h.stop();
        EgressInfo end = h.awaitCompletion(Duration.ofSeconds(30)).orElseThrow();
        assertThat(end.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(MediaProbe.of(dir.resolve("kept.mp4")).video().orElseThrow().codec()).isEqualTo("h264");
    }

    private static void awaitActive(EgressHandle h) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (h.info().getStatus() != EgressStatus.EGRESS_ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not active: " + h.info());
            }
            Thread.sleep(50);
        }
    }
}
