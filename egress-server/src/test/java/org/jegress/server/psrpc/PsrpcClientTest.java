package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.StopEgressRequest;
import org.jegress.api.rpc.ListActiveEgressRequest;
import org.jegress.api.rpc.ListActiveEgressResponse;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Unary, multi and selection behaviour against a real Redis; each server has its own bus, like a process. */
class PsrpcClientTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final StartEgressRequest START = StartEgressRequest.newBuilder().setEgressId("EG_start").build();
    private static final CallOptions START_OPTIONS =
            CallOptions.withTimeoutOf(Duration.ofSeconds(10)).withSelection(CallOptions.Selection.START_EGRESS);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
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

    private PsrpcClient client(String service) {
        return track(new PsrpcClient(track(RedisBus.connect(REDIS.uri())), service));
    }

    /** A StartEgress server bidding a fixed affinity and answering with its own ID as egress_id. */
    private PsrpcServer startEgressServer(float affinity, AtomicInteger handled) {
        PsrpcServer server = server();
        server.register(Method.START_EGRESS, "", (ctx, req) -> affinity, (ctx, req) -> {
            handled.incrementAndGet();
            return EgressInfo.newBuilder().setEgressId(ctx.serverId()).build();
        });
        return server;
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void unaryCallWithClaim() {
        AtomicReference<PsrpcServer.RequestContext> seen = new AtomicReference<>();
        AtomicReference<String> thread = new AtomicReference<>();
        PsrpcServer server = server();
        server.register(Method.STOP_EGRESS, "EG_one", (ctx, req) -> {
            seen.set(ctx);
            thread.set(Thread.currentThread().getName());
            return EgressInfo.newBuilder().setEgressId(req.getEgressId()).setDetails("stopped").build();
        });
        PsrpcClient client = client("EgressHandler");

        EgressInfo info = client.call(Method.STOP_EGRESS, "EG_one",
                StopEgressRequest.newBuilder().setEgressId("EG_one").build(),
                CallOptions.defaults().withMetadata(Map.of("traceparent", "00-abc-def-01")));

        assertThat(info.getEgressId()).isEqualTo("EG_one");
        assertThat(info.getDetails()).isEqualTo("stopped");
        assertThat(seen.get().clientId()).isEqualTo(client.id());
        assertThat(seen.get().serverId()).isEqualTo(server.id());
        assertThat(seen.get().metadata()).containsEntry("traceparent", "00-abc-def-01");
        assertThat(seen.get().expiryNanos() - seen.get().sentAtNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(thread.get()).startsWith("psrpc-server"); // never a Netty event loop
    }

    @Test
    void higherAffinityWinsAfterTheShortCircuit() {
        AtomicInteger low = new AtomicInteger();
        AtomicInteger high = new AtomicInteger();
        startEgressServer(0.3f, low);
        PsrpcServer best = startEgressServer(0.7f, high);
        PsrpcClient client = client("EgressInternal");

        long start = System.nanoTime();
        EgressInfo info = client.call(Method.START_EGRESS, "", START, CallOptions.withTimeoutOf(Duration.ofSeconds(5)));
        long elapsed = millisSince(start);

        assertThat(info.getEgressId()).isEqualTo(best.id());
        assertThat(high.get()).isEqualTo(1);
        assertThat(low.get()).isZero();
        // Default affinity selection: 200 ms after the first claim, well before the 1 s affinity timeout.
        assertThat(elapsed).isBetween(200L, 900L);
    }

    @Test
    void maximumAffinityIsChosenAtOnce() {
        AtomicInteger handled = new AtomicInteger();
        PsrpcServer full = startEgressServer(1.0f, handled);
        startEgressServer(0.5f, new AtomicInteger());
        PsrpcClient client = client("EgressInternal");

        long start = System.nanoTime();
        EgressInfo info = client.call(Method.START_EGRESS, "", START, START_OPTIONS);
        long elapsed = millisSince(start);

        assertThat(info.getEgressId()).isEqualTo(full.id());
        assertThat(elapsed).as("no wait for the 500 ms short circuit").isLessThan(400L);
    }

    @Test
    void belowMaximumAffinityWaitsForTheShortCircuit() {
        PsrpcServer half = startEgressServer(0.5f, new AtomicInteger());
        PsrpcClient client = client("EgressInternal");

        long start = System.nanoTime();
        EgressInfo info = client.call(Method.START_EGRESS, "", START, START_OPTIONS);
        long elapsed = millisSince(start);

        assertThat(info.getEgressId()).isEqualTo(half.id());
        assertThat(elapsed).isBetween(500L, 990L);
    }

    @Test
    void negativeAffinityNeverBids() {
        AtomicInteger refused = new AtomicInteger();
        startEgressServer(-1f, refused);
        PsrpcServer willing = startEgressServer(0.2f, new AtomicInteger());
        PsrpcClient client = client("EgressInternal");

        assertThat(client.call(Method.START_EGRESS, "", START, START_OPTIONS).getEgressId()).isEqualTo(willing.id());
        assertThat(refused.get()).isZero();
    }

    @Test
    void onlyNegativeBidsMeanNoResponseAfterTheAffinityTimeout() {
        startEgressServer(-1f, new AtomicInteger());
        startEgressServer(-0.5f, new AtomicInteger());
        PsrpcClient client = client("EgressInternal");

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.call(Method.START_EGRESS, "", START, START_OPTIONS))
                .isInstanceOfSatisfying(PsrpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("no response from servers");
                });
        assertThat(millisSince(start)).isBetween(1000L, 1500L);
    }

    @Test
    void zeroAffinityCountsButNeverWins() {
        startEgressServer(0f, new AtomicInteger());
        PsrpcClient client = client("EgressInternal");

        assertThatThrownBy(() -> client.call(Method.START_EGRESS, "", START, START_OPTIONS))
                .isInstanceOfSatisfying(PsrpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("no servers available (received 1 responses)");
                });
    }

    @Test
    void queueMethodIsHandledByExactlyOneServer() throws Exception {
        AtomicInteger[] handled = {new AtomicInteger(), new AtomicInteger()};
        for (AtomicInteger count : handled) {
            server().register(Method.STOP_EGRESS, "EG_queue", (ctx, req) -> {
                count.incrementAndGet();
                return EgressInfo.newBuilder().setEgressId(ctx.serverId()).build();
            });
        }
        assertThat(REDIS.subscribers(Method.STOP_EGRESS.requestChannel("EG_queue"))).isEqualTo(2);
        PsrpcClient client = client("EgressHandler");
        StopEgressRequest req = StopEgressRequest.newBuilder().setEgressId("EG_queue").build();

        int calls = 20;
        List<CompletableFuture<EgressInfo>> results = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            results.add(client.callAsync(Method.STOP_EGRESS, "EG_queue", req, CallOptions.defaults()));
        }
        for (CompletableFuture<EgressInfo> r : results) {
            assertThat(r.get(5, TimeUnit.SECONDS).getEgressId()).startsWith("SRV_");
        }
        assertThat(handled[0].get() + handled[1].get()).isEqualTo(calls);
    }

    @Test
    void multiCollectsEveryServersAnswer() {
        List<String> ids = new ArrayList<>();
        for (String egress : List.of("EG_a", "EG_b")) {
            PsrpcServer server = server();
            ids.add(server.id());
            server.register(Method.LIST_ACTIVE_EGRESS, "", (ctx, req) ->
                    ListActiveEgressResponse.newBuilder().addEgressIds(egress).build());
        }
        server().register(Method.LIST_ACTIVE_EGRESS, "", (ctx, req) -> {
            throw new EgressException(ErrorCode.INTERNAL, "cannot list");
        });
        PsrpcClient client = client("EgressInternal");

        long start = System.nanoTime();
        List<PsrpcClient.MultiResult<ListActiveEgressResponse>> results = client.multi(Method.LIST_ACTIVE_EGRESS, "",
                ListActiveEgressRequest.getDefaultInstance(), CallOptions.withTimeoutOf(Duration.ofMillis(500)));

        assertThat(millisSince(start)).as("collects until the timeout").isGreaterThanOrEqualTo(500L);
        assertThat(results).hasSize(3);
        assertThat(results).filteredOn(r -> r.error() == null)
                .extracting(r -> r.result().getEgressIds(0)).containsExactlyInAnyOrder("EG_a", "EG_b");
        assertThat(results).filteredOn(r -> r.error() == null).extracting(PsrpcClient.MultiResult::serverId)
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(results).filteredOn(r -> r.error() != null).singleElement()
                .satisfies(r -> assertThat(r.error().getMessage()).isEqualTo("cannot list"));
    }

    @Test
    void errorsKeepCodeAndMessage() {
        PsrpcServer server = server();
        server.register(Method.STOP_EGRESS, "EG_err", (ctx, req) -> {
            throw new EgressException(ErrorCode.FAILED_PRECONDITION, "egress with status EGRESS_COMPLETE cannot be stopped");
        });
        server.register(Method.UPDATE_STREAM, "EG_err", (ctx, req) -> {
            throw new IllegalArgumentException("boom");
        });
        PsrpcClient client = client("EgressHandler");

        assertThatThrownBy(() -> client.call(Method.STOP_EGRESS, "EG_err", StopEgressRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(PsrpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).isEqualTo("egress with status EGRESS_COMPLETE cannot be stopped");
                });
        assertThatThrownBy(() -> client.call(Method.UPDATE_STREAM, "EG_err",
                org.jegress.api.livekit.UpdateStreamRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(PsrpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN);
                    assertThat(e.getMessage()).isEqualTo("boom");
                });
    }

    @Test
    void malformedRequestIsAnsweredWithoutClaim() {
        AtomicInteger handled = new AtomicInteger();
        server().register(Method.STOP_EGRESS, "EG_bad", (ctx, req) -> {
            handled.incrementAndGet();
            return EgressInfo.getDefaultInstance();
        });
        // Same wire names, but field 1 carries bytes that are not UTF-8, so StopEgressRequest cannot parse them.
        Method<BytesValue, EgressInfo> lying = new Method<>("EgressHandler", "StopEgress", false, false, true, true,
                BytesValue.parser(), EgressInfo.parser());
        PsrpcClient client = client("EgressHandler");

        assertThatThrownBy(() -> client.call(lying, "EG_bad",
                BytesValue.of(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xfe}))))
                .isInstanceOfSatisfying(PsrpcException.class, e ->
                        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
        assertThat(handled.get()).isZero();
    }

    @Test
    void noServerMeansNoResponseWithinTheSelectionTimeout() {
        PsrpcClient client = client("EgressHandler");
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.call(Method.STOP_EGRESS, "EG_nobody", StopEgressRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(PsrpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("no response from servers");
                });
        assertThat(millisSince(start)).isBetween(1000L, 1500L); // 1 s selection timeout, not the 3 s timeout
    }

    @Test
    void withoutSelectionTimeoutSelectionLastsTheWholeRequest() {
        // The Go egress IOInfo client: io_selection_timeout 0.
        PsrpcClient client = track(new PsrpcClient(track(RedisBus.connect(REDIS.uri())), "IOInfo", Ids.clientId(),
                Duration.ZERO));
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.call(Method.IO_UPDATE_EGRESS, null, EgressInfo.getDefaultInstance(),
                CallOptions.withTimeoutOf(Duration.ofMillis(1500))))
                .hasMessage("no response from servers");
        assertThat(millisSince(start)).isBetween(1500L, 2000L);
    }

    @Test
    void slowHandlerMeansRequestTimedOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server().register(Method.STOP_EGRESS, "EG_slow", (ctx, req) -> {
            release.await(10, TimeUnit.SECONDS);
            return EgressInfo.getDefaultInstance();
        });
        PsrpcClient client = client("EgressHandler");
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.call(Method.STOP_EGRESS, "EG_slow", StopEgressRequest.getDefaultInstance(),
                    CallOptions.withTimeoutOf(Duration.ofMillis(400))))
                    .isInstanceOfSatisfying(PsrpcException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
                        assertThat(e.getMessage()).isEqualTo("request timed out");
                    });
            assertThat(millisSince(start)).isBetween(400L, 900L);
        } finally {
            release.countDown();
        }
    }

    @Test
    void closingTheClientCancelsCallsInProgress() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server().register(Method.STOP_EGRESS, "EG_close", (ctx, req) -> {
            started.countDown();
            release.await(10, TimeUnit.SECONDS);
            return EgressInfo.getDefaultInstance();
        });
        PsrpcClient client = client("EgressHandler");
        CompletableFuture<EgressInfo> call = client.callAsync(Method.STOP_EGRESS, "EG_close",
                StopEgressRequest.getDefaultInstance(), CallOptions.withTimeoutOf(Duration.ofSeconds(10)));
        try {
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            client.close();
            assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PsrpcException.class).hasMessageContaining("client is closed");
        } finally {
            release.countDown();
        }
    }

    @Test
    void loopbackLatency() {
        server().register(Method.STOP_EGRESS, "EG_latency", (ctx, req) -> EgressInfo.getDefaultInstance());
        startEgressServer(1.0f, new AtomicInteger());
        PsrpcServer lister = server();
        lister.register(Method.LIST_ACTIVE_EGRESS, "", (ctx, req) -> ListActiveEgressResponse.getDefaultInstance());
        PsrpcClient handlerClient = client("EgressHandler");
        PsrpcClient internalClient = client("EgressInternal");
        StopEgressRequest stop = StopEgressRequest.newBuilder().setEgressId("EG_latency").build();

        report("queue+claim unary (StopEgress)", 300,
                () -> handlerClient.call(Method.STOP_EGRESS, "EG_latency", stop));
        report("affinity unary, bid 1.0 (StartEgress)", 300,
                () -> internalClient.call(Method.START_EGRESS, "", START, START_OPTIONS));
    }

    private static void report(String what, int n, Runnable call) {
        for (int i = 0; i < 50; i++) {
            call.run(); // warm-up
        }
        long[] micros = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            call.run();
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        Arrays.sort(micros);
        System.out.printf("%s: n=%d median=%d us p90=%d us p99=%d us max=%d us%n", what, n, micros[n / 2],
                micros[n * 9 / 10], micros[n * 99 / 100], micros[n - 1]);
        assertThat(micros[n / 2]).isLessThan(50_000);
    }
}
