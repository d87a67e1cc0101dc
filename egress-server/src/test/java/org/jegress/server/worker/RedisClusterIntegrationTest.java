package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.server.livekit.LiveKitServer;
import org.jegress.server.psrpc.RedisCluster;
import org.jegress.server.web.TestPages;
import org.jegress.testsuite.media.MediaProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * livekit-server and the worker on a real three-node Redis Cluster ({@code cluster_addresses}): start, list and
 * stop reach the worker, and the final status reaches livekit-server.
 */
@Tag("livekit")
class RedisClusterIntegrationTest {

    @Test
    void theWorkerServesLiveKitThroughARedisCluster() throws Exception {
        Path dir = WorkerFixture.freshDir("RedisClusterIntegrationTest");
        try (RedisCluster cluster = RedisCluster.start(dir)) {
            String addresses = cluster.addresses().stream().map(a -> "\"" + a + "\"")
                    .collect(Collectors.joining(", ", "[", "]"));
            List<String> block = List.of("  cluster_addresses: " + addresses);
            try (LiveKitServer livekit = LiveKitServer.startWithRedis(block, dir, "127.0.0.1");
                    TestPages pages = new TestPages();
                    WorkerFixture worker = WorkerFixture.start(String.join("\n", block), livekit,
                            dir.resolve("worker"), "", System.getProperty("java.class.path"))) {
                WorkerIntegrationTest.livekit = livekit;
                String id = livekit.egress("StartWebEgress", "{\"url\": \"" + pages.demo("")
                        + "\", \"audio_only\": true, \"file_outputs\": [{\"filepath\": \"cluster.ogg\"}]}")
                        .getEgressId();
                WorkerIntegrationTest.await(id, i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE,
                        Duration.ofSeconds(20));
                Thread.sleep(4000);
                livekit.stop(id);
                EgressInfo done = WorkerIntegrationTest.await(id,
                        i -> i.getStatus() == EgressStatus.EGRESS_COMPLETE, Duration.ofSeconds(30));
                assertThat(done.getDetails()).isEqualTo("End reason: StopEgress API");
                MediaProbe p = MediaProbe.of(worker.dir().resolve("cluster.ogg"));
                assertThat(p.audio().orElseThrow().codec()).isEqualTo("opus");
                assertThat(p.duration()).isGreaterThan(3.0);
            }
        }
    }
}
