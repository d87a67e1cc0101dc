package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.web.TestPages;
import org.jegress.testsuite.media.MediaProbe;
import org.jegress.testsuite.servers.Ports;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The worker and livekit-server behind Redis Sentinel (one master, one replica, one sentinel, all real
 * {@code redis-server} processes): a failover of the master while an egress records keeps the recording, and the
 * stop and the final status still get through, now over the promoted replica.
 */
@Tag("livekit")
class SentinelFailoverIntegrationTest {

    private final List<Process> redis = new ArrayList<>();

    private Process redisServer(Path dir, String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-server"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        redis.add(p);
        return p;
    }

    private static String cli(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private static void awaitOutput(int port, String expected, Duration max, String... args) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = cli(port, args);
            if (last.contains(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("redis-cli " + String.join(" ", args) + ": " + last);
    }

    @Test
    void aMasterFailoverDuringARecordingKeepsItAndItsFinalStatus() throws Exception {
        Path dir = WorkerFixture.freshDir("SentinelFailoverIntegrationTest");
        int master = Ports.freeTcp();
        int replica = Ports.freeTcp();
        int sentinel = Ports.freeTcp();
        try {
            redisServer(dir, "master", "--port", Integer.toString(master), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no");
            redisServer(dir, "replica", "--port", Integer.toString(replica), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--replicaof", "127.0.0.1", Integer.toString(master));
            awaitOutput(replica, "master_link_status:up", Duration.ofSeconds(15), "info", "replication");
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, String.join("\n",
                    "port " + sentinel,
                    "bind 127.0.0.1",
                    "sentinel monitor mymaster 127.0.0.1 " + master + " 1",
                    "sentinel down-after-milliseconds mymaster 2000",
                    "sentinel failover-timeout mymaster 6000",
                    ""));
            redisServer(dir, "sentinel", conf.toString(), "--sentinel");
            awaitOutput(sentinel, Integer.toString(master), Duration.ofSeconds(15),
                    "sentinel", "get-master-addr-by-name", "mymaster");

            List<String> block = List.of("  sentinel_master_name: mymaster",
                    "  sentinel_addresses: [\"127.0.0.1:" + sentinel + "\"]");
            try (LiveKitServer livekit = LiveKitServer.startWithRedis(block, dir, "127.0.0.1");
                    TestPages pages = new TestPages();
                    WorkerFixture worker = WorkerFixture.start(String.join("\n", block), livekit,
                            dir.resolve("worker"), "", System.getProperty("java.class.path"))) {
                WorkerIntegrationTest.livekit = livekit;
                String id = livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("")
                        + "\", \"audio_only\": true, \"file_outputs\": [{\"filepath\": \"failover.ogg\"}]}")
                        .getEgressId();
                WorkerIntegrationTest.await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE,
                        Duration.ofSeconds(20));
                Thread.sleep(2000);

                long t0 = System.nanoTime();
                assertThat(cli(sentinel, "sentinel", "failover", "mymaster")).isEqualTo("OK");
                awaitOutput(sentinel, Integer.toString(replica), Duration.ofSeconds(20),
                        "sentinel", "get-master-addr-by-name", "mymaster");
                awaitOutput(replica, "role:master", Duration.ofSeconds(20), "info", "replication");
                System.out.printf("failover to the replica took %.1f s%n", (System.nanoTime() - t0) / 1e9);
                Thread.sleep(3000);

                // the stop reaches the worker over the new master (retried while clients reconnect)
                EgressInfo stopping = null;
                for (int i = 0; stopping == null; i++) {
                    try {
                        stopping = livekit.stop(id);
                    } catch (RuntimeException e) {
                        assertThat(i).as("StopEgress after the failover: %s", e.getMessage()).isLessThan(40);
                        Thread.sleep(500);
                    }
                }
                EgressInfo done = WorkerIntegrationTest.await(id,
                        i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(60));
                assertThat(done.getDetails()).isEqualTo("End reason: StopEgress API");
                double seconds = done.getFileResults(0).getDuration() / 1e9;
                assertThat(seconds).as("recorded through the failover").isGreaterThan(5.0);
                MediaProbe p = MediaProbe.of(worker.dir().resolve("failover.ogg"));
                assertThat(p.audio().orElseThrow().codec()).isEqualTo("opus");
                assertThat(p.duration()).isGreaterThan(5.0);
            }
        } finally {
            for (Process p : redis) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
