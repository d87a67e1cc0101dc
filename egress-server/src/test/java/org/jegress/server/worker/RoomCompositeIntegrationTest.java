package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressSourceType;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.server.web.LeftoverProcesses;
import org.jegress.sources.room.harness.TestNamespace;
import org.jegress.sources.room.harness.TestPublisher;
import org.jegress.testsuite.media.AvMarks;
import org.jegress.testsuite.media.Frames;
import org.jegress.testsuite.media.Frames.Colour;
import org.jegress.testsuite.media.Frames.Region;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.media.Tones;
import org.jegress.testsuite.servers.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Room composite end to end, as {@code lk egress start --type room-composite} runs it: an unmodified livekit-server
 * v1.13.5 hands the request to the {@code egress server} worker, whose handler opens the built-in template (served by
 * the worker on {@code template_port}) in Chromium; the template joins the room as the hidden recorder and draws the
 * publishers' cameras. Publishers are {@code @livekit/rtc-node} clients, each a camera of one solid colour and a
 * tone of its own; recordings are judged by decoding them: which colours cover how much of a frame, and where, and
 * which tones the mixed audio holds. Everything runs in the test's network namespace (WebRTC needs its veth pair).
 */
@Tag("livekit")
class RoomCompositeIntegrationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final Colour RED = new Colour("red", 255, 0, 0);
    static final Colour GREEN = new Colour("green", 0, 255, 0);
    static final Colour BLUE = new Colour("blue", 0, 0, 255);
    static final Colour YELLOW = new Colour("yellow", 255, 255, 0);
    static final Colour MAGENTA = new Colour("magenta", 255, 0, 255);
    static final List<Colour> PALETTE = List.of(RED, GREEN, BLUE, YELLOW, MAGENTA, Frames.BLACK, Frames.WHITE);

    static Path dir;
    static LiveKitServer livekit;
    static TestNamespace ns;
    static Path sockets;
    static WorkerFixture worker;

    @BeforeAll
    static void start() throws Exception {
        ns = TestNamespace.required();
        dir = WorkerFixture.freshDir("RoomCompositeIntegrationTest");
        livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp());
        sockets = Files.createTempDirectory("jeg-rc");
        // 2 cores: upstream's 4 cores per composite would admit nothing
        worker = WorkerFixture.start(REDIS, livekit, dir.resolve("worker"), String.join("\n",
                "  room_composite_cpu_cost: 0.5",
                "  audio_room_composite_cpu_cost: 0.25",
                "template_port: " + Ports.freeTcp()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (livekit != null) {
            livekit.close();
        }
    }

    private static TestPublisher publisher(String room, String identity) throws Exception {
        Path node = Paths.get(System.getProperty("jegress.test.node", "../egress-sources/room/src/test/node"));
        return TestPublisher.start(ns, livekit.wsUrl(), LiveKitServer.participantToken(room, identity), node,
                sockets, dir.resolve("publisher-" + room + "-" + identity + ".log"), identity);
    }

    private static TestPublisher camera(String room, String identity, Colour c, int toneHz) throws Exception {
        TestPublisher p = publisher(room, identity);
        p.publishCamera("cam", "vp8", 320, 180, c.r(), c.g(), c.b());
        p.publishTone("mic", toneHz);
        return p;
    }

    @Test
    void gridThenSpeakerLightThenSingleSpeakerThroughUpdateLayout() throws Exception {
        String room = "composite-layouts";
        try (TestPublisher alice = camera(room, "alice", RED, 350);
                TestPublisher bob = camera(room, "bob", GREEN, 550);
                TestPublisher carol = camera(room, "carol", BLUE, 850)) {
            long t0 = System.nanoTime();
            EgressInfo started = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"layout\": \"grid-dark\", \"file_outputs\": [{\"filepath\": \"rc/{room_name}-{time}\"}]}");
            String id = started.getEgressId();
            assertThat(started.getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
            assertThat(started.hasRoomComposite()).isTrue();

            EgressInfo active = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(30));
            System.out.printf("StartRoomCompositeEgress -> ACTIVE in ListEgress: %.2f s%n",
                    (System.nanoTime() - t0) / 1e9);
            assertThat(active.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_WEB);
            assertThat(active.getRoomComposite().getLayout()).isEqualTo("grid-dark");

            Thread.sleep(4000);
            long speakerAt = System.currentTimeMillis();
            livekit.updateLayout(id, "speaker-light");
            Thread.sleep(4000);
            long singleAt = System.currentTimeMillis();
            livekit.updateLayout(id, "single-speaker");
            Thread.sleep(3500);
            assertThat(livekit.stop(id).getStatus()).isEqualTo(EgressStatus.EGRESS_ENDING);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));

            assertThat(done.getDetails()).isEqualTo("End reason: StopEgress API");
            String name = done.getFileResults(0).getFilename();
            assertThat(name).startsWith("rc/" + room + "-").endsWith(".mp4");
            Path mp4 = Path.of(done.getFileResults(0).getLocation());
            MediaProbe probe = MediaProbe.of(mp4);
            assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(probe.video().orElseThrow().width()).isEqualTo(1280);
            assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");
            assertThat(probe.duration()).isCloseTo(done.getFileResults(0).getDuration() / 1e9, within(1.0));
            assertThat(worker.dir().resolve("rc/" + id + ".json")).exists();

            double fileStart = done.getFileResults(0).getStartedAt() / 1e6;
            Map<String, Region> grid = regions(mp4, (speakerAt - fileStart) / 1000 - 1.0);
            Map<String, Region> speaker = regions(mp4, (speakerAt - fileStart) / 1000 + 2.0);
            Map<String, Region> single = regions(mp4, (singleAt - fileStart) / 1000 + 2.0);

            // grid-dark: three tiles of their own on black
            for (Colour c : List.of(RED, GREEN, BLUE)) {
                assertThat(grid.get(c.name()).share()).as("%s in the grid: %s", c.name(), grid).isGreaterThan(0.12);
            }
            assertThat(grid.get("black").share()).as("black background: %s", grid).isGreaterThan(0.1);
            assertThat(distance(grid.get("red"), grid.get("green"))).isGreaterThan(0.25);
            assertThat(distance(grid.get("green"), grid.get("blue"))).isGreaterThan(0.25);
            assertThat(distance(grid.get("red"), grid.get("blue"))).isGreaterThan(0.25);

            // speaker-light (within 2 s of UpdateLayout): one large tile on white, the others small
            assertThat(speaker.get("white").share()).as("white background: %s", speaker).isGreaterThan(0.05);
            assertThat(largest(speaker).share()).as("one large tile: %s", speaker).isGreaterThan(0.5);
            assertThat(largest(speaker).cx()).isGreaterThan(0.5);
            // single-speaker: one participant, full frame
            assertThat(largest(single).share()).as("full frame: %s", single).isGreaterThan(0.85);

            // the mix holds every publisher's tone
            Map<Double, Double> tones = Tones.amplitudes(mp4, 1.0, 350, 550, 850, 1234);
            for (double hz : new double[] {350, 550, 850}) {
                assertThat(tones.get(hz)).as("%s Hz in %s", hz, tones).isGreaterThan(5 * tones.get(1234.0))
                        .isGreaterThan(0.005);
            }
            assertThat(LeftoverProcesses.awaitGone(id, 10_000)).isEmpty();
        }
    }

    /**
     * The same layouts drawn by GStreamer's compositor ({@code native:} picks the renderer for this request): no
     * browser, the recorder joins through webrtcbin, UpdateLayout reaches it as its own metadata.
     */
    @Test
    void theNativeRendererDrawsTheSameLayoutsAndRelaysOutWhenSomeoneLeaves() throws Exception {
        String room = "composite-native";
        try (TestPublisher alice = camera(room, "alice", RED, 350);
                TestPublisher bob = camera(room, "bob", GREEN, 550);
                TestPublisher carol = camera(room, "carol", BLUE, 850)) {
            long t0 = System.nanoTime();
            String id = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"layout\": \"native:grid-dark\", \"file_outputs\": [{\"filepath\": \"native/{room_name}\"}]}")
                    .getEgressId();
            EgressInfo active = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(30));
            System.out.printf("native StartRoomCompositeEgress -> ACTIVE in ListEgress: %.2f s%n",
                    (System.nanoTime() - t0) / 1e9);
            assertThat(active.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_SDK);
            assertThat(active.getRoomComposite().getLayout()).isEqualTo("native:grid-dark");

            Thread.sleep(4000);
            long speakerAt = System.currentTimeMillis();
            livekit.updateLayout(id, "speaker-light");
            Thread.sleep(3000);
            long singleAt = System.currentTimeMillis();
            livekit.updateLayout(id, "single-speaker");
            Thread.sleep(3000);
            long gridAt = System.currentTimeMillis();
            livekit.updateLayout(id, "grid");
            Thread.sleep(2000);
            long leftAt = System.currentTimeMillis();
            carol.disconnect();
            Thread.sleep(3000);
            livekit.stop(id);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            assertThat(done.getDetails()).isEqualTo("End reason: StopEgress API");
            Path mp4 = Path.of(done.getFileResults(0).getLocation());
            MediaProbe probe = MediaProbe.of(mp4);
            assertThat(probe.video().orElseThrow().codec()).isEqualTo("h264");
            assertThat(probe.video().orElseThrow().width()).isEqualTo(1280);
            assertThat(probe.audio().orElseThrow().codec()).isEqualTo("aac");

            double fileStart = done.getFileResults(0).getStartedAt() / 1e6;
            Map<String, Region> grid = regions(mp4, (speakerAt - fileStart) / 1000 - 1.0);
            Map<String, Region> speaker = regions(mp4, (speakerAt - fileStart) / 1000 + 1.0);
            Map<String, Region> single = regions(mp4, (singleAt - fileStart) / 1000 + 1.0);
            Map<String, Region> three = regions(mp4, (leftAt - fileStart) / 1000 - 0.5);
            Map<String, Region> two = regions(mp4, (leftAt - fileStart) / 1000 + 2.0);
            for (Colour c : List.of(RED, GREEN, BLUE)) {
                assertThat(grid.get(c.name()).share()).as("%s in the grid: %s", c.name(), grid).isGreaterThan(0.12);
                assertThat(three.get(c.name()).share()).as("%s back in the grid: %s", c.name(), three)
                        .isGreaterThan(0.12);
            }
            assertThat(grid.get("black").share()).as("black background: %s", grid).isGreaterThan(0.1);
            assertThat(distance(grid.get("red"), grid.get("green"))).isGreaterThan(0.25);
            assertThat(distance(grid.get("green"), grid.get("blue"))).isGreaterThan(0.25);
            // UpdateLayout shows within a second
            assertThat(speaker.get("white").share()).as("white background: %s", speaker).isGreaterThan(0.05);
            assertThat(largest(speaker).share()).as("one large tile: %s", speaker).isGreaterThan(0.5);
            assertThat(largest(speaker).cx()).isGreaterThan(0.5);
            assertThat(largest(single).share()).as("full frame: %s", single).isGreaterThan(0.85);
            // carol left: the other two fill the grid again, no frozen or black frame for them
            assertThat(two.get("blue").share()).as("carol gone: %s", two).isLessThan(0.01);
            assertThat(two.get("red").share()).as("alice re-laid out: %s", two).isGreaterThan(0.2);
            assertThat(two.get("green").share()).as("bob re-laid out: %s", two).isGreaterThan(0.2);
            for (double s = (leftAt - fileStart) / 1000 - 0.2; s < (leftAt - fileStart) / 1000 + 1.5; s += 0.25) {
                Map<String, Region> r = regions(mp4, s);
                assertThat(r.get("red").share() + r.get("green").share()).as("at %.2f s: %s", s, r)
                        .isGreaterThan(0.2);
            }

            Map<Double, Double> tones = Tones.amplitudes(mp4, 1.0, 350, 550, 850, 1234);
            for (double hz : new double[] {350, 550, 850}) {
                assertThat(tones.get(hz)).as("%s Hz in %s", hz, tones).isGreaterThan(5 * tones.get(1234.0))
                        .isGreaterThan(0.005);
            }
            assertThat(gridAt).isLessThan(leftAt);
        }
    }

    /**
     * A tile drawn natively against its own sound: a white flash and a beep at every whole second, within 0.1 s as for
     * the other room egresses, once the streams are in sync: until the first RTCP sender reports reach the recorder
     * (1-1.6 s after the track's media begins in the runs looked at) the two are aligned by their arrival only, and
     * the first marks were seen 0.15-0.2 s apart; the sender reports then bring them together. (Runs measure 0.02-0.09 s
     * after that: the sound arrives a packet or so after its picture.)
     */
    @Test
    void theNativeRendererKeepsATileInSyncWithItsSound() throws Exception {
        String room = "composite-native-sync";
        try (TestPublisher dave = publisher(room, "dave")) {
            dave.publishAv("vp8");
            String id = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"layout\": \"native:speaker\", \"file_outputs\": [{\"filepath\": \"native/{room_name}\"}]}")
                    .getEgressId();
            await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(30));
            Thread.sleep(12_000);
            livekit.stop(id);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            AvMarks m = AvMarks.of(Path.of(done.getFileResults(0).getLocation()));
            double settled = m.soundStart(-40) + 2.0;
            System.out.println("native composite A/V offsets from start (beep - flash, s): "
                    + AvMarks.offsets(m.flashes(170), m.beeps(-15)));
            List<Double> offsets = AvMarks.offsets(m.flashes(170).stream().filter(t -> t >= settled).toList(),
                    m.beeps(-15));
            System.out.println("native composite A/V offsets (beep - flash, s): " + offsets);
            assertThat(offsets).as("marks found").hasSizeGreaterThanOrEqualTo(6);
            assertThat(offsets).as("beep vs flash").allSatisfy(o -> assertThat(Math.abs(o)).isLessThanOrEqualTo(0.1));
        }
    }

    @Test
    void autoEgressRecordsTheRoomAndAScreenShareTakesTheStageUntilTheRoomCloses() throws Exception {
        autoEgressWithAScreenShare("composite-auto", "grid");
    }

    /** The same drawn natively: the screen share turns the grid into the speaker layout, the room's end ends it. */
    @Test
    void theNativeRendererGivesAScreenShareTheStageToo() throws Exception {
        autoEgressWithAScreenShare("composite-auto-native", "native:grid");
    }

    private void autoEgressWithAScreenShare(String room, String layout) throws Exception {
        livekit.createRoom("{\"name\": \"" + room + "\", \"departure_timeout\": 2, \"egress\": {\"room\": {"
                + "\"layout\": \"" + layout + "\", \"advanced\": {\"width\": 960, \"height\": 540, \"framerate\": 15}, "
                + "\"file_outputs\": [{\"filepath\": \"auto/{room_name}\"}]}}}");
        TestPublisher alice = camera(room, "alice", RED, 350);
        TestPublisher bob = camera(room, "bob", GREEN, 550);
        try {
            String id = awaitListed(room, Duration.ofSeconds(15)).getEgressId();
            EgressInfo active = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(30));
            assertThat(active.hasRoomComposite()).isTrue();
            Thread.sleep(3000);
            long shareAt = System.currentTimeMillis();
            bob.publishScreenShare("screen", "vp8", YELLOW.r(), YELLOW.g(), YELLOW.b());
            Thread.sleep(4500);
            alice.disconnect();
            bob.disconnect();

            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(40));
            assertThat(done.getDetails()).isEqualTo("End reason: Source closed");
            assertThat(done.getFileResults(0).getFilename()).isEqualTo("auto/" + room + ".mp4");
            Path mp4 = Path.of(done.getFileResults(0).getLocation());
            MediaProbe probe = MediaProbe.of(mp4);
            assertThat(probe.video().orElseThrow().width()).isEqualTo(960);
            assertThat(probe.duration()).isCloseTo(done.getFileResults(0).getDuration() / 1e9, within(1.0));

            double fileStart = done.getFileResults(0).getStartedAt() / 1e6;
            Map<String, Region> grid = regions(mp4, (shareAt - fileStart) / 1000 - 1.0);
            Map<String, Region> shared = regions(mp4, (shareAt - fileStart) / 1000 + 3.0);
            assertThat(grid.get("red").share()).as("grid: %s", grid).isGreaterThan(0.15);
            assertThat(grid.get("green").share()).as("grid: %s", grid).isGreaterThan(0.15);
            assertThat(grid.get("yellow").share()).isLessThan(0.01);
            assertThat(shared.get("yellow").share()).as("share in focus: %s", shared).isGreaterThan(0.4);
            assertThat(shared.get("yellow").cx()).isGreaterThan(0.5);
            assertThat(shared.get("red").share() + shared.get("green").share()).isLessThan(0.15);
        } finally {
            alice.close();
            bob.close();
        }
    }

    @Test
    void customTemplatesGetTheContractAndTheirEndsAreReported() throws Exception {
        String room = "composite-custom";
        livekit.createRoom("{\"name\": \"" + room + "\"}");
        List<String> queries = new CopyOnWriteArrayList<>();
        HttpServer pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pages.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            if (ex.getRequestURI().getRawQuery() != null) {
                queries.add(path + "?" + ex.getRequestURI().getRawQuery());
            }
            String body = switch (path) {
                case "/ok/" -> "<html><body style='margin:0;background:#f0f'>"
                        + "<script>setTimeout(() => console.log('START_RECORDING'), 300)</script></body></html>";
                case "/broken/" -> "<html><body><div class='error'>no camera for you</div></body></html>";
                case "/silent/" -> "<html><body style='background:#f0f'></body></html>";
                default -> null;
            };
            byte[] b = body == null ? "not found".getBytes() : body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        pages.start();
        String base = "http://127.0.0.1:" + pages.getAddress().getPort();
        String small = "\"advanced\": {\"width\": 640, \"height\": 360, \"framerate\": 15}";
        try {
            // a custom template gets url, token and layout (its own query kept) and is recorded
            EgressInfo ok = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"layout\": \"my-layout\", \"custom_base_url\": \"" + base + "/ok/?theme=x\", " + small
                    + ", \"file_outputs\": [{\"filepath\": \"custom/ok\"}]}");
            await(ok.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(30));
            Thread.sleep(3000);
            livekit.stop(ok.getEgressId());
            EgressInfo okDone = await(ok.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE,
                    Duration.ofSeconds(30));
            Map<String, String> q = query(queries.stream().filter(s -> s.startsWith("/ok/")).findFirst()
                    .orElseThrow());
            assertThat(q).containsEntry("theme", "x").containsEntry("layout", "my-layout")
                    .containsEntry("url", livekit.wsUrl());
            JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(q.get("token").split("\\.")[1]));
            assertThat(claims.path("sub").asText()).isEqualTo(ok.getEgressId());
            assertThat(claims.path("video").path("room").asText()).isEqualTo(room);
            assertThat(claims.path("video").path("hidden").asBoolean()).isTrue();
            assertThat(claims.path("video").path("recorder").asBoolean()).isTrue();
            assertThat(claims.path("video").path("canPublish").asBoolean(true)).isFalse();
            Path mp4 = Path.of(okDone.getFileResults(0).getLocation());
            assertThat(regions(mp4, 1.5).get("magenta").share()).isGreaterThan(0.9);

            // a template showing div.error fails with its text
            EgressInfo broken = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"custom_base_url\": \"" + base + "/broken/\", " + small
                    + ", \"file_outputs\": [{\"filepath\": \"custom/broken\"}]}");
            EgressInfo failed = await(broken.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_FAILED,
                    Duration.ofSeconds(30));
            assertThat(failed.getError()).isEqualTo("template error: no camera for you");
            assertThat(failed.getErrorCode()).isEqualTo(400);

            // one that never signals start stays STARTING; stopped, it is ABORTED and nothing is left running
            EgressInfo silent = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"custom_base_url\": \"" + base + "/silent/\", " + small
                    + ", \"file_outputs\": [{\"filepath\": \"custom/silent\"}]}");
            Thread.sleep(5000);
            assertThat(livekit.get(silent.getEgressId()).getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
            livekit.stop(silent.getEgressId());
            EgressInfo aborted = await(silent.getEgressId(), i -> i.getStatus() == EgressStatus.EGRESS_ABORTED,
                    Duration.ofSeconds(20));
            assertThat(aborted.getError()).isEqualTo("Start signal not received");
            assertThat(aborted.getErrorCode()).isEqualTo(412);
            for (String id : List.of(ok.getEgressId(), broken.getEgressId(), silent.getEgressId())) {
                assertThat(LeftoverProcesses.awaitGone(id, 10_000)).as(id).isEmpty();
            }

            // a room that does not exist is refused by livekit-server before any worker is asked
            assertThatThrownBy(() -> livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"no-such-room\", "
                    + "\"file_outputs\": [{\"filepath\": \"x\"}]}"))
                    .hasMessageContaining("requested room does not exist");
        } finally {
            pages.stop(0);
        }
    }

    @Test
    void v2TemplateSourceRecordsLikeV1() throws Exception {
        String room = "composite-v2";
        try (TestPublisher alice = camera(room, "alice", RED, 350);
                TestPublisher bob = camera(room, "bob", BLUE, 850)) {
            EgressInfo started = livekit.egress("StartEgress", "{\"room_name\": \"" + room
                    + "\", \"template\": {\"layout\": \"grid-light\"}, "
                    + "\"advanced\": {\"width\": 960, \"height\": 540, \"framerate\": 15}, "
                    + "\"outputs\": [{\"file\": {\"filepath\": \"v2/{room_name}\"}}]}");
            String id = started.getEgressId();
            EgressInfo active = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(30));
            assertThat(active.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_WEB);
            Thread.sleep(4000);
            livekit.stop(id);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            assertThat(done.getFileResults(0).getFilename()).isEqualTo("v2/" + room + ".mp4");
            Path mp4 = Path.of(done.getFileResults(0).getLocation());
            Map<String, Region> frame = regions(mp4, 3.0);
            assertThat(frame.get("red").share()).as("v2 grid: %s", frame).isGreaterThan(0.15);
            assertThat(frame.get("blue").share()).as("v2 grid: %s", frame).isGreaterThan(0.15);
            assertThat(frame.get("white").share()).as("light background: %s", frame).isGreaterThan(0.1);
            Map<Double, Double> tones = Tones.amplitudes(mp4, 1.0, 350, 850, 1234);
            assertThat(tones.get(350.0)).isGreaterThan(5 * tones.get(1234.0));
            assertThat(tones.get(850.0)).isGreaterThan(5 * tones.get(1234.0));
        }
    }

    @Test
    void audioOnlyWithALayoutIsTheRoomsSoundAsTheTemplatePlaysIt() throws Exception {
        String room = "composite-audio";
        try (TestPublisher alice = camera(room, "alice", RED, 350);
                TestPublisher bob = camera(room, "bob", GREEN, 850)) {
            EgressInfo started = livekit.egress("StartRoomCompositeEgress", "{\"room_name\": \"" + room
                    + "\", \"layout\": \"speaker\", \"audio_only\": true, "
                    + "\"file_outputs\": [{\"filepath\": \"audio/{room_name}\"}]}");
            String id = started.getEgressId();
            EgressInfo active = await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(30));
            // a layout means Chromium, even for sound alone
            assertThat(active.getSourceType()).isEqualTo(EgressSourceType.EGRESS_SOURCE_TYPE_WEB);
            Thread.sleep(4000);
            livekit.stop(id);
            EgressInfo done = await(id, i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
            Path ogg = Path.of(done.getFileResults(0).getLocation());
            assertThat(ogg.toString()).endsWith(".ogg");
            MediaProbe probe = MediaProbe.of(ogg);
            assertThat(probe.video()).isEmpty();
            assertThat(probe.audio().orElseThrow().codec()).isEqualTo("opus");
            Map<Double, Double> tones = Tones.amplitudes(ogg, 1.0, 350, 850, 1234);
            assertThat(tones.get(350.0)).as("%s", tones).isGreaterThan(5 * tones.get(1234.0));
            assertThat(tones.get(850.0)).as("%s", tones).isGreaterThan(5 * tones.get(1234.0));
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static Map<String, Region> regions(Path mp4, double seconds) throws Exception {
        return Frames.at(mp4, Math.max(0, seconds), 64, 36).regions(PALETTE);
    }

    private static Region largest(Map<String, Region> regions) {
        return regions.entrySet().stream().filter(e -> !e.getKey().equals("black") && !e.getKey().equals("white"))
                .map(Map.Entry::getValue).max((a, b) -> Double.compare(a.share(), b.share())).orElseThrow();
    }

    private static double distance(Region a, Region b) {
        return Math.hypot(a.cx() - b.cx(), a.cy() - b.cy());
    }

    private static Map<String, String> query(String pathAndQuery) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : pathAndQuery.substring(pathAndQuery.indexOf('?') + 1).split("&")) {
            int eq = kv.indexOf('=');
            m.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    private static EgressInfo awaitListed(String room, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            List<EgressInfo> found = new ArrayList<>(livekit.list(false));
            found.removeIf(i -> !i.getRoomName().equals(room));
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no egress listed for room " + room);
    }

    private static EgressInfo await(String id, Predicate<EgressInfo> condition, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        EgressInfo last = null;
        while (System.nanoTime() < deadline) {
            last = livekit.get(id);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("egress " + id + " did not get there in " + max + "; last: " + last);
    }
}
