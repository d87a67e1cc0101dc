package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.server.web.TestPages;
import org.jegress.sources.room.harness.TestNamespace;
import org.jegress.sources.room.harness.TestPublisher;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.Ports;
import org.jegress.testsuite.servers.RtmpServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one-machine stack's flow ({@code examples/compose/README.md}) as an operator runs it, with the published server
 * SDK in place of {@code lk} ({@code examples/compose/sdk/lk.mjs} on npm {@code livekit-server-sdk}) and the example
 * request files: start room composite, web (streaming) and track egress, list them, update the composite's layout,
 * add a stream URL, stop all three, and decode what they recorded. livekit-server v1.13.5 and the worker run as
 * processes (containers cannot run here), a publisher is in the room, nginx-rtmp receives the stream.
 */
@Tag("livekit")
class ComposeFlowIntegrationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Paths.get(System.getProperty("jegress.root", "..")).toAbsolutePath().normalize();
    private static final Path COMPOSE = ROOT.resolve("examples/compose");

    private Path dir;

    private LiveKitServer livekit;

    /** {@code node lk.mjs egress <args>}: its JSON output. */
    private JsonNode lk(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", COMPOSE.resolve("sdk/lk.mjs").toString(), "egress"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(COMPOSE.toFile());
        pb.environment().putAll(Map.of("LIVEKIT_URL", livekit.url(), "LIVEKIT_API_KEY", LiveKitServer.API_KEY,
                "LIVEKIT_API_SECRET", LiveKitServer.API_SECRET));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("lk.mjs egress %s: %s", String.join(" ", args), err).isZero();
        return JSON.readTree(out);
    }

    /** An example request file with the example's placeholders replaced by this test's room, track, page, stream. */
    private Path request(String name, Map<String, String> replacements) throws Exception {
        String text = Files.readString(COMPOSE.resolve("requests/" + name));
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            assertThat(text).as("%s holds %s", name, e.getKey()).contains(e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private List<String> activeIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode i : lk("list", "--active")) {
            assertThat(i.path("status").asText()).isIn("EGRESS_STARTING", "EGRESS_ACTIVE", "EGRESS_ENDING");
            ids.add(i.path("egressId").asText());
        }
        return ids;
    }

    private static EgressStatus status(JsonNode info) {
        return EgressStatus.valueOf(info.path("status").asText("EGRESS_STARTING"));
    }

    @Test
    void seedFlowThroughThePublishedServerSdk() throws Exception {
        TestNamespace ns = TestNamespace.required();
        dir = WorkerFixture.freshDir("ComposeFlowIntegrationTest");
        String room = "compose-room";
        Path node = Paths.get(System.getProperty("jegress.test.node", "../egress-sources/room/src/test/node"));
        try (LiveKitServer lks = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp());
                TestPages pages = new TestPages();
                RtmpServer rtmp = RtmpServer.start(dir.resolve("nginx"))) {
            livekit = lks;
            WorkerIntegrationTest.livekit = lks;
            try (WorkerFixture worker = WorkerFixture.start(REDIS, lks, dir.resolve("worker"), String.join("\n",
                    // the example's costs, for this 2-core machine
                    "  room_composite_cpu_cost: 0.5",
                    "  track_cpu_cost: 0.05",
                    // a browser streaming 720p while the publisher encodes its camera and the next spare starts its
                    // own browser keeps these 2 cores above 95 % for 10 s, and the overload policy would stop the
                    // web egress; this test is about the flow, not about overload
                    "  max_cpu_utilization: 1.0",
                    "template_port: " + Ports.freeTcp()));
                    TestPublisher alice = TestPublisher.start(ns, lks.wsUrl(),
                            LiveKitServer.participantToken(room, "alice"), node, Files.createTempDirectory("jeg-c"),
                            dir.resolve("publisher.log"), "alice")) {
                alice.publishCamera("cam", "vp8", 320, 180, 255, 0, 0);
                String mic = alice.publishTone("mic", 440);

                JsonNode composite = lk("start", "--type", "room-composite",
                        request("room-composite.json", Map.of("my-room", room)).toString());
                String compositeId = composite.path("egressId").asText();
                assertThat(compositeId).startsWith("EG_");
                assertThat(status(composite)).isEqualTo(EgressStatus.EGRESS_STARTING);
                // one start at a time, as on any 2-core machine: starts in a burst (browser, JVMs) exhaust it
                WorkerIntegrationTest.await(compositeId, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE,
                        Duration.ofSeconds(30));
                JsonNode track = lk("start", "--type", "track", request("track.json", Map.of(
                        "my-room", room, "TR_XXXXXXXXXXXX", mic)).toString());
                String trackId = track.path("egressId").asText();
                WorkerIntegrationTest.await(trackId, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE,
                        Duration.ofSeconds(30));
                assertThat(activeIds()).contains(compositeId, trackId);
                JsonNode roomList = lk("list", "--room", room);
                assertThat(roomList.findValuesAsText("egressId")).contains(compositeId, trackId);
                JsonNode layout = lk("update-layout", "--id", compositeId, "--layout", "speaker");
                // livekit-server sets the recorder's metadata and answers with the stored info (layout as started);
                // RoomCompositeIntegrationTest checks the picture follows
                assertThat(layout.path("egressId").asText()).isEqualTo(compositeId);
                Thread.sleep(3000);
                // two browsers at once would exhaust this 2-core machine (the overload policy then stops one)
                assertThat(status(lk("stop", "--id", compositeId))).isEqualTo(EgressStatus.EGRESS_ENDING);
                EgressInfo c = WorkerIntegrationTest.await(compositeId,
                        i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(45));

                JsonNode web = lk("start", "--type", "web", request("web.json", Map.of(
                        "https://example.com", pages.demo(""),
                        "rtmp://localhost:1935/live/stream", rtmp.url("first"))).toString());
                String webId = web.path("egressId").asText();
                WorkerIntegrationTest.await(webId, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE,
                        Duration.ofSeconds(30));
                assertThat(activeIds()).contains(webId, trackId).doesNotContain(compositeId);
                JsonNode streams = lk("update-stream", "--id", webId, "--add-urls", rtmp.url("second"));
                // stream keys redacted, as upstream reports them
                assertThat(streams.path("streamResults")).extracting(r -> r.path("url").asText())
                        .containsExactly(rtmp.url("{f...t}"), rtmp.url("{se...nd}"));
                Thread.sleep(4000);
                for (String id : List.of(webId, trackId)) {
                    assertThat(status(lk("stop", "--id", id))).isEqualTo(EgressStatus.EGRESS_ENDING);
                }
                List<EgressInfo> done = new ArrayList<>(List.of(c));
                for (String id : List.of(webId, trackId)) {
                    done.add(WorkerIntegrationTest.await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE,
                            Duration.ofSeconds(45)));
                }
                JsonNode all = lk("list");
                assertThat(all.findValuesAsText("status")).contains("EGRESS_COMPLETE");

                // the composite: {room_name}-{time}.mp4 and its manifest; the stream: both receivers; the track: Opus
                assertThat(c.getFileResults(0).getFilename()).startsWith(room + "-").endsWith(".mp4");
                MediaProbe mp4 = MediaProbe.of(worker.dir().resolve(c.getFileResults(0).getFilename()));
                assertThat(mp4.video().orElseThrow().codec()).isEqualTo("h264");
                assertThat(mp4.audio().orElseThrow().codec()).isEqualTo("aac");
                assertThat(worker.dir().resolve(compositeId + ".json")).exists();
                assertThat(MediaProbe.of(rtmp.recordings("first").get(0)).video().orElseThrow().codec())
                        .isEqualTo("h264");
                assertThat(MediaProbe.of(rtmp.recordings("second").get(0)).audio().orElseThrow().codec())
                        .isEqualTo("aac");
                EgressInfo t = done.get(2);
                assertThat(t.getFile().getFilename()).startsWith(room + "-" + mic + "-").endsWith(".ogg");
                assertThat(MediaProbe.of(worker.dir().resolve(t.getFile().getFilename())).audio().orElseThrow()
                        .codec()).isEqualTo("opus");
            }
        }
    }
}
