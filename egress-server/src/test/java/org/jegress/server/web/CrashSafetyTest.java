package org.jegress.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jegress.testsuite.media.AudioAnalysis;
import org.jegress.testsuite.media.MediaProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a recording process: the MP4 written so far must play up to at most one second before the
 * kill, and the helper processes (Xvfb, Chromium, PulseAudio) must die with it. The Go egress leaves an
 * unplayable file here.
 */
@Tag("browser")
class CrashSafetyTest {

    @TempDir
    Path dir;

    @Test
    void killedRecordingStillPlaysUpToOneSecondBeforeTheKill() throws Exception {
        try (TestPages pages = new TestPages()) {
            Path request = dir.resolve("request.json");
            Files.writeString(request, "{\"url\": \"" + pages.demo("tone=440")
                    + "\", \"file_outputs\": [{\"filepath\": \"crash.mp4\"}]}");
            Files.createDirectories(dir.resolve("tmp"));
            Process child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                    "-cp", System.getProperty("java.class.path"),
                    "org.jegress.server.cli.Main", "run", "--type", "web", request.toString(),
                    "--output-dir", dir.toString()))
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .start();
            CompletableFuture<Long> active = new CompletableFuture<>();
            List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        log.add(line);
                        if (line.contains(": recording")) {
                            active.complete(System.nanoTime());
                        }
                    }
                } catch (Exception e) {
                    active.completeExceptionally(e);
                }
            });
            reader.setDaemon(true);
            reader.start();

            long activeAt;
            try {
                activeAt = active.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                child.destroyForcibly();
                throw new AssertionError("the egress never recorded; its log:\n" + String.join("\n",
                        log.subList(Math.max(0, log.size() - 40), log.size())), e);
            }
            Thread.sleep(6_000);
            long killedAt = System.nanoTime();
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no EOS, nothing flushed on the way out
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            double recorded = (killedAt - activeAt) / 1e9;

            Path mp4 = dir.resolve("crash.mp4");
            MediaProbe probe = MediaProbe.of(mp4);
            MediaProbe.Stream video = probe.video().orElseThrow();
            double playable = video.frames() / 30.0;
            System.out.printf("recorded %.2f s before the kill; %.2f s of video decodes; probe %s%n", recorded,
                    playable, probe);
            assertThat(playable).as("seconds of video that decode").isGreaterThanOrEqualTo(recorded - 1.0);
            assertThat(AudioAnalysis.of(mp4, 0.5).seconds()).as("seconds of audio that decode")
                    .isGreaterThanOrEqualTo(recorded - 1.5);

            assertThat(LeftoverProcesses.awaitGone(dir.toString(), 8_000)).as("helpers outliving the JVM").isEmpty();
        }
    }
}
