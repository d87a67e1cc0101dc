package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.StopEgressRequest;
import org.jegress.server.psrpc.wire.ClaimRequest;
import org.jegress.server.psrpc.wire.Request;
import org.jegress.server.psrpc.wire.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Server-side rules, observed with a hand-driven "client" made of raw bus subscriptions. */
class PsrpcServerTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final String FAKE_CLIENT = "CLI_fakefakefake";

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    private RedisBus clientBus;

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    @BeforeEach
    void fakeClient() {
        clientBus = track(RedisBus.connect(REDIS.uri()));
        clientBus.subscribe(Channels.response("EgressHandler", FAKE_CLIENT), p -> Envelope.decode(p).ifPresent(received::add));
        clientBus.subscribe(Channels.claim("EgressHandler", FAKE_CLIENT), p -> Envelope.decode(p).ifPresent(received::add));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private PsrpcServer server() {
        return track(new PsrpcServer(track(RedisBus.connect(REDIS.uri()))));
    }

    private void publishRequest(String requestId, long expiry, ByteString raw) throws Exception {
        long now = Envelope.nowUnixNanos();
        clientBus.publish(Method.STOP_EGRESS.requestChannel("EG_srv"), Envelope.encode(Request.newBuilder()
                .setRequestId(requestId).setClientId(FAKE_CLIENT).setSentAt(now).setExpiry(expiry)
                .setRawRequest(raw).build())).get();
    }

    @Test
    void expiredRequestsAreDroppedSilently() throws Exception {
        AtomicInteger bids = new AtomicInteger();
        server().register(Method.STOP_EGRESS, "EG_srv", (ctx, req) -> {
            bids.incrementAndGet();
            return 1f;
        }, (ctx, req) -> EgressInfo.getDefaultInstance());
        ByteString raw = StopEgressRequest.newBuilder().setEgressId("EG_srv").build().toByteString();

        publishRequest("REQ_expired00001", Envelope.nowUnixNanos() - 1, raw);
        publishRequest("REQ_live00000001", Envelope.nowUnixNanos() + Duration.ofSeconds(3).toNanos(), raw);

        // The live request's claim proves the earlier, expired one has been looked at (bus order) and dropped.
        Message first = received.poll(5, TimeUnit.SECONDS);
        assertThat(first).isInstanceOfSatisfying(ClaimRequest.class,
                c -> assertThat(c.getRequestId()).isEqualTo("REQ_live00000001"));
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(bids.get()).isEqualTo(1);
    }

    @Test
    void malformedRequestGetsAnErrorResponseWithoutClaim() throws Exception {
        server().register(Method.STOP_EGRESS, "EG_srv", (ctx, req) -> EgressInfo.getDefaultInstance());

        publishRequest("REQ_malformed001", Envelope.nowUnixNanos() + Duration.ofSeconds(3).toNanos(),
                ByteString.copyFrom(new byte[] {(byte) 0xff}));

        assertThat(received.poll(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(Response.class, r -> {
            assertThat(r.getRequestId()).isEqualTo("REQ_malformed001");
            assertThat(r.getCode()).isEqualTo(ErrorCode.MALFORMED_REQUEST.wire());
            assertThat(r.getError()).isNotEmpty();
        });
    }

    @Test
    void claimLostToAnotherServerMeansNoResponse() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        server().register(Method.STOP_EGRESS, "EG_srv", (ctx, req) -> {
            handled.incrementAndGet();
            return EgressInfo.getDefaultInstance();
        });
        publishRequest("REQ_otherwins001", Envelope.nowUnixNanos() + Duration.ofMillis(500).toNanos(),
                ByteString.EMPTY);
        assertThat(received.poll(5, TimeUnit.SECONDS)).isInstanceOf(ClaimRequest.class);
        clientBus.publish(Method.STOP_EGRESS.claimResponseChannel("EG_srv"), Envelope.encode(
                org.jegress.server.psrpc.wire.ClaimResponse.newBuilder()
                        .setRequestId("REQ_otherwins001").setServerId("SRV_someoneelse").build())).get();
        assertThat(received.poll(1, TimeUnit.SECONDS)).isNull();
        assertThat(handled.get()).isZero();
    }

    @Test
    void gracefulDeregistrationFinishesInFlightRequests() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PsrpcServer server = server();
        PsrpcServer.Registration reg = server.register(Method.STOP_EGRESS, "EG_grace", (ctx, req) -> {
            started.countDown();
            release.await(10, TimeUnit.SECONDS);
            return EgressInfo.newBuilder().setEgressId("done").build();
        });
        PsrpcClient client = track(new PsrpcClient(clientBus, "EgressHandler"));
        CompletableFuture<EgressInfo> inFlight = client.callAsync(Method.STOP_EGRESS, "EG_grace",
                StopEgressRequest.getDefaultInstance(), CallOptions.withTimeoutOf(Duration.ofSeconds(10)));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> done = reg.deregister();
        assertThat(done).isNotDone();
        awaitSubscribers(Method.STOP_EGRESS.requestChannel("EG_grace"), 0);
        assertThat(REDIS.subscribers(Method.STOP_EGRESS.claimResponseChannel("EG_grace"))).isEqualTo(1);
        assertThatThrownBy(() -> client.call(Method.STOP_EGRESS, "EG_grace", StopEgressRequest.getDefaultInstance()))
                .hasMessage("no response from servers");

        release.countDown();
        assertThat(inFlight.get(5, TimeUnit.SECONDS).getEgressId()).isEqualTo("done");
        done.get(5, TimeUnit.SECONDS);
        awaitSubscribers(Method.STOP_EGRESS.claimResponseChannel("EG_grace"), 0);
        // The same method and topic can be registered again.
        server.register(Method.STOP_EGRESS, "EG_grace", (ctx, req) -> EgressInfo.getDefaultInstance());
    }

    @Test
    void killUnsubscribesEverythingAtOnce() throws Exception {
        PsrpcServer server = server();
        PsrpcServer.Registration reg = server.register(Method.STOP_EGRESS, "EG_kill",
                (ctx, req) -> EgressInfo.getDefaultInstance());
        assertThat(REDIS.subscribers(Method.STOP_EGRESS.requestChannel("EG_kill"))).isEqualTo(1);
        reg.kill();
        awaitSubscribers(Method.STOP_EGRESS.requestChannel("EG_kill"), 0);
        awaitSubscribers(Method.STOP_EGRESS.claimResponseChannel("EG_kill"), 0);
    }

    @Test
    void multiMethodsHaveNoClaimChannelAndDuplicatesAreRejected() {
        PsrpcServer server = server();
        server.register(Method.LIST_ACTIVE_EGRESS, "", (ctx, req) ->
                org.jegress.api.rpc.ListActiveEgressResponse.getDefaultInstance());
        assertThat(REDIS.subscribers("EgressInternal|ListActiveEgress|REQ")).isEqualTo(1);
        assertThat(REDIS.subscribers("EgressInternal|ListActiveEgress|RCLAIM")).isZero();
        assertThatThrownBy(() -> server.register(Method.LIST_ACTIVE_EGRESS, null, (ctx, req) -> null))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void awaitSubscribers(String channel, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (REDIS.subscribers(channel) != expected) {
            assertThat(System.nanoTime()).as("subscribers of %s to become %d", channel, expected).isLessThan(deadline);
            Thread.sleep(10); // UNSUBSCRIBE is asynchronous and Redis offers no notification to others
        }
    }
}
