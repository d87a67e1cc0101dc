package org.jegress.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.rpc.ListActiveEgressRequest;
import org.jegress.api.rpc.ListActiveEgressResponse;
import org.jegress.api.livekit.StopEgressRequest;
import org.jegress.server.psrpc.CallOptions;
import org.jegress.server.psrpc.Ids;
import org.jegress.server.psrpc.Method;
import org.jegress.server.psrpc.PsrpcClient;
import org.jegress.server.psrpc.PsrpcServer;
import org.jegress.server.psrpc.RedisBus;
import org.jegress.server.psrpc.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code livekit_psrpc_*} families as a server and a client on a real Redis count them. */
class PsrpcMetricsTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

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

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new TreeMap<>(Map.of("node_id", "NE_test", "node_type", "EGRESS"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void callsErrorsBytesAndExpiredRequestsAreCountedOnBothSides() throws Exception {
        PromRegistry registry = new PromRegistry();
        PsrpcMetrics metrics = new PsrpcMetrics(registry, "NE_test");
        PsrpcServer server = track(new PsrpcServer(track(RedisBus.connect(REDIS.uri())), Ids.serverId(), null,
                metrics));
        server.register(Method.STOP_EGRESS, "EG_ok", (ctx, req) ->
                EgressInfo.newBuilder().setEgressId(req.getEgressId()).build());
        server.register(Method.STOP_EGRESS, "EG_bad", (ctx, req) -> {
            throw EgressException.invalidInput("egress_id");
        });
        server.register(Method.LIST_ACTIVE_EGRESS, "", (ctx, req) -> ListActiveEgressResponse.getDefaultInstance());
        PsrpcClient handler = track(new PsrpcClient(track(RedisBus.connect(REDIS.uri())), "EgressHandler",
                Ids.clientId(), Duration.ofSeconds(1), metrics));
        PsrpcClient internal = track(new PsrpcClient(track(RedisBus.connect(REDIS.uri())), "EgressInternal",
                Ids.clientId(), Duration.ofSeconds(1), metrics));

        StopEgressRequest ok = StopEgressRequest.newBuilder().setEgressId("EG_ok").build();
        handler.call(Method.STOP_EGRESS, "EG_ok", ok);
        handler.call(Method.STOP_EGRESS, "EG_ok", ok);
        assertThatThrownBy(() -> handler.call(Method.STOP_EGRESS, "EG_bad",
                StopEgressRequest.newBuilder().setEgressId("EG_bad").build()));
        // expired on arrival: dropped by the server, so no claim reaches the client ("no response from servers")
        assertThatThrownBy(() -> handler.call(Method.STOP_EGRESS, "EG_ok", ok,
                CallOptions.withTimeoutOf(Duration.ofNanos(1))));
        assertThat(internal.multi(Method.LIST_ACTIVE_EGRESS, "", ListActiveEgressRequest.getDefaultInstance(),
                CallOptions.withTimeoutOf(Duration.ofMillis(300)))).hasSize(1);
        Thread.sleep(300); // the expired request's arrival at the server

        StringBuilder sb = new StringBuilder();
        registry.writeTo(sb);
        PromText text = PromText.parse(sb.toString());
        String stop = "StopEgress";
        assertThat(text.family(PsrpcMetrics.REQUEST_TIME).type()).isEqualTo("histogram");
        assertThat(text.value(PsrpcMetrics.REQUEST_TIME + "_count", labels("role", "server", "kind", "rpc",
                "service", "EgressHandler", "method", stop))).isEqualTo(2);
        assertThat(text.value(PsrpcMetrics.REQUEST_TIME + "_count", labels("role", "client", "kind", "rpc",
                "service", "EgressHandler", "method", stop))).isEqualTo(2);
        assertThat(text.value(PsrpcMetrics.REQUEST_TIME + "_count", labels("role", "client", "kind", "multirpc",
                "service", "EgressInternal", "method", "ListActiveEgress"))).isEqualTo(1);
        assertThat(text.value(PsrpcMetrics.ERRORS, labels("role", "server", "kind", "rpc",
                "service", "EgressHandler", "method", stop, "error_code", ErrorCode.INVALID_ARGUMENT.wire())))
                .isEqualTo(1);
        assertThat(text.value(PsrpcMetrics.ERRORS, labels("role", "client", "kind", "rpc",
                "service", "EgressHandler", "method", stop, "error_code", ErrorCode.INVALID_ARGUMENT.wire())))
                .isEqualTo(1);
        assertThat(text.value(PsrpcMetrics.ERRORS, labels("role", "client", "kind", "rpc",
                "service", "EgressHandler", "method", stop, "error_code", ErrorCode.UNAVAILABLE.wire())))
                .isEqualTo(1);
        assertThat(text.value(PsrpcMetrics.RECEIVED, labels("service", "EgressHandler", "method", stop)))
                .isEqualTo(4);
        assertThat(text.value(PsrpcMetrics.EXPIRED, labels("service", "EgressHandler", "method", stop)))
                .isEqualTo(1);
        double requestBytes = ok.getSerializedSize();
        assertThat(text.value(PsrpcMetrics.BYTES, labels("role", "server", "kind", "rpc", "service",
                "EgressHandler", "method", stop, "direction", "rx")))
                .isEqualTo(2 * requestBytes + StopEgressRequest.newBuilder().setEgressId("EG_bad").build()
                        .getSerializedSize());
        assertThat(text.value(PsrpcMetrics.BYTES, labels("role", "client", "kind", "rpc", "service",
                "EgressHandler", "method", stop, "direction", "rx")))
                .isEqualTo(2 * EgressInfo.newBuilder().setEgressId("EG_ok").build().getSerializedSize());
    }
}
