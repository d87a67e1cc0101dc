package org.jegress.server.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamOutput;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.server.stats.ProcSnapshot;
import org.jegress.server.stats.ProcessTree;
import org.jegress.server.web.TestPages;
import org.jegress.testsuite.servers.RtmpServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What several outputs cost next to one: a 720p30 web egress (the bundled demo page, Chromium on Xvfb) recorded to a
 * file alone, then to a file, an RTMP stream, HLS segments and images at once, CPU measured over a steady window for
 * this JVM (capture, encode, outputs) and for its whole process tree (with Chromium, Xvfb, PulseAudio). Then how long
 * a destination added by UpdateStream takes to get media: until its StreamInfo is started (media flowing, as
 * reported) and until the receiver (nginx-rtmp) has written its first 10 kB.
 *
 * <p>Run with {@code bench/outputs/run.sh}; not part of the test suite.
 */
@Tag("bench")
class OutputsBench {

    @Test
    void oneEncodeForEveryOutput() throws Exception {
        long window = Long.getLong("bench.window.seconds", 20);
        int rounds = Integer.getInteger("bench.rounds", 2);
        int adds = Integer.getInteger("bench.adds", 5);
        Path dir = Files.createTempDirectory("outputs-bench");
        StringBuilder report = new StringBuilder();
        try (TestPages pages = new TestPages(); RtmpServer rtmp = RtmpServer.start(dir.resolve("nginx"))) {
            EgressOptions options = EgressOptions.defaults().withOutputDirectory(dir.resolve("out"))
                    .withWorkRoot(dir.resolve("work"));
            String page = pages.demo("tone=440");
            List<double[]> fileOnly = new ArrayList<>();
            List<double[]> all = new ArrayList<>();
            List<Long> started = new ArrayList<>();
            List<Long> received = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                fileOnly.add(measure(Egress.start(WebEgressRequest.newBuilder().setUrl(page)
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("file-" + round + ".mp4"))
                        .build(), options), window, null, 0, null, null));
                all.add(measure(Egress.start(WebEgressRequest.newBuilder().setUrl(page)
                        .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("all-" + round + ".mp4"))
                        .addStreamOutputs(StreamOutput.newBuilder().addUrls(rtmp.url("all" + round)))
                        .addSegmentOutputs(SegmentedFileOutput.newBuilder().setFilenamePrefix("hls" + round + "/s"))
                        .addImageOutputs(ImageOutput.newBuilder().setCaptureInterval(5)
                                .setFilenamePrefix("img" + round + "/i"))
                        .build(), options), window, rtmp, round == 0 ? adds : 0, started, received));
            }
            report.append("| egress | JVM cores | JVM + children cores |\n|---|---|---|\n");
            for (int i = 0; i < rounds; i++) {
                report.append(row("file only (round " + (i + 1) + ")", fileOnly.get(i)));
                report.append(row("file + RTMP + HLS + images (round " + (i + 1) + ")", all.get(i)));
            }
            double jvmRatio = mean(all, 0) / mean(fileOnly, 0);
            double treeRatio = mean(all, 1) / mean(fileOnly, 1);
            report.append(String.format(Locale.ROOT, "%nratio, all outputs / file only: JVM %.2f×, with children %.2f×%n",
                    jvmRatio, treeRatio));
            report.append(String.format(Locale.ROOT, "UpdateStream → StreamInfo started: %s ms; → receiver has 10 kB: %s ms%n",
                    started, received));
            System.out.println(report);
            Path out = Path.of("target", "outputs-bench.md");
            Files.writeString(out, report.toString());
        }
    }

    private static String row(String what, double[] m) {
        return String.format(Locale.ROOT, "| %s | %.3f | %.3f |%n", what, m[0], m[1]);
    }

    private static double mean(List<double[]> runs, int i) {
        return runs.stream().mapToDouble(r -> r[i]).average().orElse(Double.NaN);
    }

    /** Waits for ACTIVE, warms up, measures CPU over the window, optionally times UpdateStream adds, stops. */
    private static double[] measure(EgressHandle h, long windowSeconds, RtmpServer rtmp, int adds, List<Long> started,
            List<Long> received) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (h.info().getStatus() != EgressStatus.EGRESS_ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not active: " + h.info());
            }
            Thread.sleep(50);
        }
        Thread.sleep(5000);
        long self = ProcessHandle.current().pid();
        ProcessTree tree = new ProcessTree(self);
        ProcSnapshot a = ProcSnapshot.read();
        tree.sample(a);
        long jvm0 = a.get(self).orElseThrow().cpuTicks();
        Thread.sleep(windowSeconds * 1000);
        ProcSnapshot b = ProcSnapshot.read();
        double treeCores = tree.sample(b).cpuCores();
        double seconds = (b.nanoTime() - a.nanoTime()) / 1e9;
        double jvmCores = (b.get(self).orElseThrow().cpuTicks() - jvm0)
                / (double) ProcSnapshot.CLOCK_TICKS_PER_SECOND / seconds;
        for (int i = 0; i < adds; i++) {
            String key = "late" + i;
            long t0 = System.nanoTime();
            h.updateStream(List.of(rtmp.url(key)), List.of());
            Long startedMs = null;
            Long receivedMs = null;
            long until = t0 + Duration.ofSeconds(15).toNanos();
            while ((startedMs == null || receivedMs == null) && System.nanoTime() < until) {
                EgressInfo info = h.info();
                String reported = org.jegress.api.plan.Redaction.streamUrl(rtmp.url(key));
                if (startedMs == null && info.getStreamResultsList().stream().anyMatch(s ->
                        s.getUrl().equals(reported) && s.getStartedAt() > 0
                        && s.getStatus() == StreamInfo.Status.ACTIVE)) {
                    startedMs = (System.nanoTime() - t0) / 1_000_000;
                }
                if (receivedMs == null) {
                    List<Path> recs = rtmp.recordings(key);
                    if (!recs.isEmpty() && Files.size(recs.get(recs.size() - 1)) > 10_000) {
                        receivedMs = (System.nanoTime() - t0) / 1_000_000;
                    }
                }
                Thread.sleep(5);
            }
            started.add(startedMs);
            received.add(receivedMs);
            h.updateStream(List.of(), List.of(rtmp.url(key)));
            Thread.sleep(1000);
        }
        h.stop();
        EgressInfo end = h.awaitCompletion(Duration.ofSeconds(60)).orElseThrow();
        if (end.getStatus() != EgressStatus.EGRESS_COMPLETE) {
            throw new AssertionError("egress ended " + end.getStatus() + ": " + end.getError());
        }
        return new double[] {jvmCores, treeCores};
    }
}
