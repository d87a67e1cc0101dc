package org.jegress.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.jegress.testsuite.servers.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's answers to bad input: clear messages, exit code 2, nothing started. */
class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env).execute(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path file(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, body);
        return p;
    }

    @Test
    void usageWithoutArguments() {
        assertThat(run(Map.of())).isEqualTo(2);
        assertThat(err()).contains("usage:").contains("egress run --type");
    }

    @Test
    void unknownTypeIsAUsageError() throws Exception {
        Path req = file("r.json", "{}");
        assertThat(run(Map.of(), "run", "--type", "podcast", req.toString())).isEqualTo(2);
        assertThat(err()).contains("unknown egress type \"podcast\"");
    }

    @Test
    void unknownJsonFieldIsRejected() throws Exception {
        Path req = file("r.json", "{\"url\": \"http://127.0.0.1/\", \"file_outputs\": [{}], \"colour\": \"red\"}");
        assertThat(run(Map.of(), "run", "--type", "web", req.toString())).isEqualTo(2);
        assertThat(err()).contains("could not parse request").contains("colour").contains("(invalid_argument)");
    }

    @Test
    void invalidUrlAnswersWithTheUpstreamMessage() throws Exception {
        Path req = file("r.json", "{\"url\": \"file:///etc/passwd\", \"fileOutputs\": [{\"filepath\": \"x.mp4\"}]}");
        assertThat(run(Map.of(), "run", "--type", "web", req.toString())).isEqualTo(2);
        assertThat(err()).contains("request has missing or invalid field: web url");
    }

    @Test
    void roomCompositeWithoutAServerFailsWithTheTemplatesError() throws Exception {
        // the built-in template is served on template_port, Chromium loads it, and it cannot join the room
        Path config = file("config.yaml", "api_key: devkey\napi_secret: secret\nws_url: ws://127.0.0.1:9\n"
                + "template_port: " + Ports.freeTcp() + "\n");
        Path rc = file("rc.json", "{\"room_name\": \"r\", \"layout\": \"grid\", \"file_outputs\": "
                + "[{\"filepath\": \"rc.mp4\"}]}");
        assertThat(run(Map.of(), "run", "--type", "room-composite", rc.toString(), "--config", config.toString(),
                "--output-dir", dir.resolve("out").toString())).isEqualTo(1);
        assertThat(err()).contains("EGRESS_FAILED").contains("template error: could not connect to the room");
    }

    @Test
    void trackEgressWithoutAServerFailsWithTheJoinError() throws Exception {
        Path config = file("config.yaml", "api_key: devkey\napi_secret: secret\nws_url: ws://127.0.0.1:9\n");
        Path track = file("t.json", "{\"room_name\": \"r\", \"track_id\": \"TR_x\", \"file\": {\"filepath\": \"t\"}}");
        assertThat(run(Map.of(), "run", "--type", "track", track.toString(), "--config", config.toString()))
                .isEqualTo(1);
        assertThat(err()).contains("EGRESS_FAILED").contains("failed to join room r");
    }

    @Test
    void configFromEnvironmentBodyIsUsedAndItsWarningsShown() throws Exception {
        Path rc = file("rc.json", "{\"room_name\": \"r\", \"audio_only\": true, \"video_only\": true, "
                + "\"file_outputs\": [{}]}");
        Map<String, String> env = Map.of("EGRESS_CONFIG_BODY", "log_level: debug\nws_url: ws://127.0.0.1:7880\n",
                "LIVEKIT_API_KEY", "devkey", "LIVEKIT_API_SECRET", "secret");
        assertThat(run(env, "run", "--type", "room-composite", rc.toString())).isEqualTo(2);
        assertThat(err()).contains("config: log_level is deprecated")
                .contains("request has missing or invalid field: audio_only and video_only");
    }

    @Test
    void missingRequestFileIsReported() {
        assertThat(run(Map.of(), "run", "--type", "web", dir.resolve("nope.json").toString())).isEqualTo(2);
        assertThat(err()).contains("cannot read");
    }
}
