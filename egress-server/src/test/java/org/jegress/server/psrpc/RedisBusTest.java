package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.StopEgressRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisBusTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final List<AutoCloseable> closeables = new ArrayList<>();

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private RedisBus bus() {
        return track(RedisBus.connect(REDIS.uri()));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void subscribeReturnsOnlyOnceRedisConfirmed() throws Exception {
        RedisBus sub = bus();
        RedisBus pub = bus();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        for (int i = 0; i < 200; i++) {
            String channel = "confirm|" + i;
            sub.subscribe(channel, p -> got.add(new String(p, StandardCharsets.UTF_8)));
            // Published right after subscribe() returned: lost if the SUBSCRIBE were not yet effective.
            assertThat(pub.publish(channel, ("m" + i).getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(1L);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("m" + i);
        }
    }

    @Test
    void subscriptionsAreReferenceCounted() throws Exception {
        RedisBus bus = bus();
        BlockingQueue<String> a = new LinkedBlockingQueue<>();
        BlockingQueue<String> b = new LinkedBlockingQueue<>();
        RedisBus.Subscription subA = bus.subscribe("refcount", p -> a.add("a"));
        RedisBus.Subscription subB = bus.subscribe("refcount", p -> b.add("b"));
        assertThat(REDIS.subscribers("refcount")).isEqualTo(1); // one Redis subscription for both
        bus.publish("refcount", new byte[0]).get();
        assertThat(a.poll(5, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(b.poll(5, TimeUnit.SECONDS)).isEqualTo("b");

        subA.close();
        subA.close(); // idempotent
        bus.publish("refcount", new byte[0]).get();
        assertThat(b.poll(5, TimeUnit.SECONDS)).isEqualTo("b");
        assertThat(a).isEmpty();
        assertThat(REDIS.subscribers("refcount")).isEqualTo(1);

        subB.close();
        // The UNSUBSCRIBE is asynchronous; a new subscription is ordered after it and must be effective.
        RedisBus.Subscription again = bus.subscribe("refcount", p -> a.add("again"));
        bus.publish("refcount", new byte[0]).get();
        assertThat(a.poll(5, TimeUnit.SECONDS)).isEqualTo("again");
        again.close();
        awaitSubscribers("refcount", 0);
    }

    @Test
    void queueSubscriptionDeliversEachMessageToOneProcess() throws Exception {
        int messages = 50;
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(messages);
        List<RedisBus> processes = List.of(bus(), bus(), bus());
        for (RedisBus process : processes) {
            process.subscribeQueue("queue", p -> {
                delivered.add(new String(p, StandardCharsets.UTF_8));
                all.countDown();
            });
        }
        RedisBus pub = bus();
        for (int i = 0; i < messages; i++) {
            assertThat(pub.publish("queue", ("payload-" + i).getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(3L);
        }
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        // A duplicate would arrive about as fast as the original; absence can only be checked over a window.
        Thread.sleep(200);
        assertThat(delivered).hasSize(messages).doesNotHaveDuplicates();

        byte[] payload = "payload-0".getBytes(StandardCharsets.UTF_8);
        String key = Envelope.queueLockKey(payload);
        assertThat((String) REDIS.command("GET", key)).matches("[0-9]+");
        assertThat((Long) REDIS.command("TTL", key)).isBetween(1L, 5L);
        assertThat(pub.tryQueueLock(payload).get()).isFalse(); // same bytes within 5 s: already taken
    }

    @Test
    void localQueueSubscribersTakeTurns() throws Exception {
        int messages = 20;
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(messages);
        RedisBus bus = bus();
        bus.subscribeQueue("turns", p -> { first.incrementAndGet(); all.countDown(); });
        bus.subscribeQueue("turns", p -> { second.incrementAndGet(); all.countDown(); });
        assertThat(REDIS.subscribers("turns")).isEqualTo(1);
        for (int i = 0; i < messages; i++) {
            bus.publish("turns", ("turn-" + i).getBytes(StandardCharsets.UTF_8)).get();
        }
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(first.get()).isEqualTo(messages / 2);
        assertThat(second.get()).isEqualTo(messages / 2);
    }

    @Test
    void rpcsWorkAgainAfterRedisRestart() throws Exception {
        RedisBus serverBus = bus();
        RedisBus clientBus = bus();
        PsrpcServer server = track(new PsrpcServer(serverBus));
        server.register(Method.STOP_EGRESS, "EG_restart", (ctx, req) ->
                EgressInfo.newBuilder().setEgressId(req.getEgressId()).build());
        PsrpcClient client = track(new PsrpcClient(clientBus, "EgressHandler"));
        StopEgressRequest req = StopEgressRequest.newBuilder().setEgressId("EG_restart").build();
        assertThat(client.call(Method.STOP_EGRESS, "EG_restart", req).getEgressId()).isEqualTo("EG_restart");

        REDIS.restart();
        // Redis is empty now; each bus must reconnect and resubscribe its channels by itself.
        awaitSubscribers(Method.STOP_EGRESS.requestChannel("EG_restart"), 1);
        awaitSubscribers(Method.STOP_EGRESS.claimResponseChannel("EG_restart"), 1);
        awaitSubscribers(Channels.response("EgressHandler", client.id()), 1);
        awaitSubscribers(Channels.claim("EgressHandler", client.id()), 1);

        long start = System.nanoTime();
        assertThat(client.call(Method.STOP_EGRESS, "EG_restart", req).getEgressId()).isEqualTo("EG_restart");
        System.out.printf("after restart: first RPC %.1f ms%n", (System.nanoTime() - start) / 1e6);
        assertThat(serverBus.isConnected()).isTrue();
        // A new subscription after the restart works too.
        PsrpcClient fresh = track(new PsrpcClient(clientBus, "EgressHandler"));
        assertThat(fresh.call(Method.STOP_EGRESS, "EG_restart", req).getEgressId()).isEqualTo("EG_restart");
    }

    /** Waits for Redis to report a subscriber count (reconnects happen on Lettuce's schedule). */
    private static void awaitSubscribers(String channel, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        long start = System.nanoTime();
        while (REDIS.subscribers(channel) != expected) {
            assertThat(System.nanoTime()).as("subscribers of %s to become %d", channel, expected).isLessThan(deadline);
            Thread.sleep(10); // Redis offers no notification for another connection's SUBSCRIBE
        }
        System.out.printf("%s: %d subscriber(s) after %.1f ms%n", channel, expected, (System.nanoTime() - start) / 1e6);
    }
}
