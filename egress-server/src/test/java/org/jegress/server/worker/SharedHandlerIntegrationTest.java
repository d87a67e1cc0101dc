package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisServerExtension;
import org.jegress.sources.room.harness.TestNamespace;
import org.jegress.sources.room.harness.TestPublisher;
import org.jegress.testsuite.media.MediaProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Light egresses share handler processes (here two per process, {@code shared_handler_capacity: 2}), and a crash of
 * one process ends only the egresses it hosted: each is reported FAILED through livekit-server with the part it
 * recorded kept on disk, while the other processes' egresses go on and complete.
 */
@Tag("livekit")
class SharedHandlerIntegrationTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Pattern HANDED = Pattern.compile("(EG_\\w+): handed to shared handler \\(pid (\\d+)\\)");

    @Test
    void aCrashedSharedHandlerFailsOnlyItsOwnEgresses() throws Exception {
        TestNamespace ns = TestNamespace.required();
        Path dir = WorkerFixture.freshDir("SharedHandlerIntegrationTest");
        try (LiveKitServer livekit = LiveKitServer.start("127.0.0.1:" + REDIS.port(), dir, ns.serverIp())) {
            WorkerIntegrationTest.livekit = livekit;
            Path node = Paths.get(System.getProperty("jegress.test.node", "../egress-sources/room/src/test/node"));
            String room = "shared-handlers";
            try (WorkerFixture worker = WorkerFixture.start(REDIS, livekit, dir.resolve("worker"), String.join("\n",
                    "  track_cpu_cost: 0.05",
                    "shared_handler_capacity: 2"));
                    TestPublisher alice = TestPublisher.start(ns, livekit.wsUrl(),
                            LiveKitServer.participantToken(room, "alice"), node, Files.createTempDirectory("jeg-s"),
                            dir.resolve("publisher.log"), "alice")) {
                String sid = alice.publishTone("mic", 440);
                worker.awaitLog("spare handler warmed up", 30_000);

                // five track egresses: two, two and one per process
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    EgressInfo started = livekit.egress("StartTrackEgress", "{\"room_name\": \"" + room
                            + "\", \"track_id\": \"" + sid + "\", \"file\": {\"filepath\": \"shared/" + i + "\"}}");
                    ids.add(started.getEgressId());
                    WorkerIntegrationTest.await(started.getEgressId(),
                            x -> x.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(20));
                }
                Map<String, Long> pidOf = new LinkedHashMap<>();
                for (String line : worker.log()) {
                    Matcher m = HANDED.matcher(line);
                    if (m.find()) {
                        pidOf.put(m.group(1), Long.parseLong(m.group(2)));
                    }
                }
                assertThat(pidOf).containsOnlyKeys(ids);
                long first = pidOf.get(ids.get(0));
                long second = pidOf.get(ids.get(2));
                long third = pidOf.get(ids.get(4));
                assertThat(pidOf.get(ids.get(1))).isEqualTo(first);
                assertThat(pidOf.get(ids.get(3))).isEqualTo(second);
                assertThat(List.of(first, second, third)).doesNotHaveDuplicates();
                // shared_handler_cpu_pinning (the default): every thread of a shared handler on one CPU, the two
                // CPUs of this machine taken in turn
                assertThat(cpusOfEveryThread(first)).hasSize(1);
                assertThat(cpusOfEveryThread(second)).hasSize(1).doesNotContainAnyElementsOf(cpusOfEveryThread(first));
                Thread.sleep(3000);

                // SIGKILL of the first: its two egresses fail, the others record on
                signal("KILL", first);
                for (String id : ids.subList(0, 2)) {
                    EgressInfo failed = WorkerIntegrationTest.await(id,
                            x -> x.getStatus() == EgressStatus.EGRESS_FAILED, Duration.ofSeconds(15));
                    assertThat(failed.getError()).isEqualTo("signal: killed");
                    assertThat(failed.getErrorCode()).isEqualTo(500);
                }
                for (String id : ids.subList(2, 5)) {
                    assertThat(livekit.get(id).getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
                }

                // a native crash (SIGSEGV) in the second: the JVM dies as from a crash in a GStreamer element
                signal("SEGV", second);
                for (String id : ids.subList(2, 4)) {
                    EgressInfo failed = WorkerIntegrationTest.await(id,
                            x -> x.getStatus() == EgressStatus.EGRESS_FAILED, Duration.ofSeconds(30));
                    assertThat(failed.getError()).startsWith("signal: ");
                    assertThat(failed.getErrorCode()).isEqualTo(500);
                }
                assertThat(livekit.get(ids.get(4)).getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
                Thread.sleep(1000);

                livekit.stop(ids.get(4));
                EgressInfo done = WorkerIntegrationTest.await(ids.get(4),
                        x -> x.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
                assertThat(done.getDetails()).isEqualTo("End reason: StopEgress API");

                // every recording, the crashed ones' parts too, decodes
                for (int i = 0; i < 5; i++) {
                    Path ogg = worker.dir().resolve("shared/" + i + ".ogg");
                    MediaProbe p = MediaProbe.of(ogg);
                    assertThat(p.audio().orElseThrow().codec()).as("%s", ogg).isEqualTo("opus");
                    assertThat(p.duration()).as("%s", ogg).isGreaterThan(2.0);
                }
                assertThat(worker.log()).noneMatch(l -> l.contains("handler events"));
            }
        }
    }

    /** The CPUs any thread of the process may run on ({@code Cpus_allowed_list} of each task). */
    private static Set<String> cpusOfEveryThread(long pid) throws Exception {
        Set<String> cpus = new TreeSet<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("Cpus_allowed_list:")) {
                        cpus.add(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return cpus;
    }

    private static void signal(String name, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor()).isZero();
    }
}
