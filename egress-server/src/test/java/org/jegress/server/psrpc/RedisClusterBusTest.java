package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisURI;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.StopEgressRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bus on a real three-node Redis Cluster, each side entering through a different seed node. */
class RedisClusterBusTest {
    private static Path dir;
    private static RedisCluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("redis-cluster");
        cluster = RedisCluster.start(dir);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** A bus that knows only one seed node (the client discovers the others). */
    private RedisBus bus(int seed) {
        String[] hp = cluster.addresses().get(seed).split(":");
        RedisBus bus = RedisBus.connectCluster(List.of(RedisURI.create(hp[0], Integer.parseInt(hp[1]))), 2,
                Duration.ofSeconds(5));
        closeables.add(bus);
        return bus;
    }

    @Test
    void messagesCrossNodesAndEachQueueMessageGoesToOneSubscriber() throws Exception {
        RedisBus a = bus(0);
        RedisBus b = bus(1);
        RedisBus publisher = bus(2);
        BlockingQueue<String> normal = new LinkedBlockingQueue<>();
        AtomicInteger queued = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            String channel = "cluster|" + i; // channels and lock keys spread over all slots
            a.subscribe(channel, p -> normal.add(new String(p, StandardCharsets.UTF_8)));
            a.subscribeQueue(channel, p -> queued.incrementAndGet());
            b.subscribeQueue(channel, p -> queued.incrementAndGet());
            publisher.publish(channel, ("m" + i).getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
        }
        // PUBLISH is routed by the channel's slot (as go-redis does), so messages on different channels may reach the
        // subscriber's node by different paths and arrive in another order; none is lost
        Set<String> got = new TreeSet<>();
        Set<String> sent = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            got.add(normal.poll(5, TimeUnit.SECONDS));
            sent.add("m" + i);
        }
        assertThat(got).isEqualTo(sent);
        Thread.sleep(500);
        assertThat(queued).hasValue(20);
    }

    @Test
    void aPsrpcCallRoundTrips() {
        PsrpcServer server = new PsrpcServer(bus(0));
        closeables.add(server);
        server.register(Method.STOP_EGRESS, "EG_cluster", (ctx, req) ->
                EgressInfo.newBuilder().setEgressId(req.getEgressId()).setDetails("stopped").build());
        PsrpcClient client = new PsrpcClient(bus(2), "EgressHandler");
        closeables.add(client);

        EgressInfo info = client.call(Method.STOP_EGRESS, "EG_cluster",
                StopEgressRequest.newBuilder().setEgressId("EG_cluster").build(), CallOptions.defaults());

        assertThat(info.getDetails()).isEqualTo("stopped");
    }
}
