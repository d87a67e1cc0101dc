package org.jegress.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.testsuite.media.MediaProbe;
import org.jegress.server.web.LeftoverProcesses;
import org.jegress.server.web.TestPages;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code egress run} and {@code egress demo} as an operator uses them: real processes, real signals. */
@Tag("browser")
class RunCommandTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void signalStopsCleanlyWithAFinalisedFileAndPrintsEgressInfo(String signal) throws Exception {
        try (TestPages pages = new TestPages()) {
            Path request = dir.resolve("request.json");
            Files.writeString(request, "{\"url\": \"" + pages.demo("") + "\", \"fileOutputs\": [{\"filepath\": "
                    + "\"rec/{time}.mp4\"}]}");
            Process child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + dir,
                    "-cp", System.getProperty("java.class.path"),
                    "org.jegress.server.cli.Main", "run", "--type", "web", request.toString(),
                    "--output-dir", dir.toString())).start();
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (Exception e) {
                    return "";
                }
            });
            CompletableFuture<Long> active = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
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

            long activeAt = active.get(60, TimeUnit.SECONDS);
            Thread.sleep(4_000);
            double recorded = (System.nanoTime() - activeAt) / 1e9;
            new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start().waitFor();

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
            JsonNode info = new ObjectMapper().readTree(stdout.get(10, TimeUnit.SECONDS));
            assertThat(info.path("status").asText()).isEqualTo("EGRESS_COMPLETE");
            assertThat(info.path("details").asText()).isEqualTo("End reason: Process killed");
            Path mp4 = Path.of(info.path("file_results").get(0).path("location").asText());
            assertThat(mp4.getParent()).isEqualTo(dir.resolve("rec"));
            MediaProbe probe = MediaProbe.of(mp4);
            assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(probe.duration()).isCloseTo(recorded, within(1.0));
            assertThat(LeftoverProcesses.awaitGone(dir.toString(), 5000)).isEmpty();
        }
    }

    @Test
    void demoRecordsTheBundledPageIntoTheOutputDirectory() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())
                .execute(new String[] {"demo", "--duration", "3", "--output-dir", dir.resolve("out").toString()});

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode info = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        Path mp4 = Path.of(info.path("file_results").get(0).path("location").asText());
        assertThat(mp4.getParent()).isEqualTo(dir.resolve("out"));
        MediaProbe probe = MediaProbe.of(mp4);
        MediaProbe.Stream video = probe.video().orElseThrow();
        assertThat(video.codec()).isEqualTo("h264");
        assertThat(video.width()).isEqualTo(1280);
        assertThat(video.height()).isEqualTo(720);
        assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");
        assertThat(probe.duration()).isCloseTo(3.0, within(1.0));
        assertThat(dir.resolve("out").resolve(info.path("egress_id").asText() + ".json")).exists();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("egress demo: wrote " + mp4);
    }
}
