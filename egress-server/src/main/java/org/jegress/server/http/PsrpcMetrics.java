package org.jegress.server.http;

import java.util.Map;
import java.util.TreeMap;

import org.jegress.api.error.ErrorCode;
import org.jegress.server.psrpc.Method;
import org.jegress.server.psrpc.PsrpcObserver;

/**
 * psrpc's Prometheus metrics, with the names, labels and buckets of LiveKit's psrpc observer (which the Go worker
 * installs on its servers and clients), constant labels {@code node_id} and {@code node_type="EGRESS"}:
 * <ul>
 *   <li>{@code livekit_psrpc_request_time_ms{role,kind,service,method}} — successful RPCs;</li>
 *   <li>{@code livekit_psrpc_error_total{role,kind,service,method,error_code}} — failed ones;</li>
 *   <li>{@code livekit_psrpc_bytes_total{role,kind,service,method,direction}} — protobuf bytes, rx and tx;</li>
 *   <li>{@code livekit_psrpc_requests_received_total{service,method}},
 *       {@code livekit_psrpc_requests_expired_total{service,method}} — server side, before any claim.</li>
 * </ul>
 * Series appear once something was counted. The stream families do not appear: no egress RPC is a stream.
 */
public final class PsrpcMetrics implements PsrpcObserver {
    static final String REQUEST_TIME = "livekit_psrpc_request_time_ms";
    static final String ERRORS = "livekit_psrpc_error_total";
    static final String BYTES = "livekit_psrpc_bytes_total";
    static final String RECEIVED = "livekit_psrpc_requests_received_total";
    static final String EXPIRED = "livekit_psrpc_requests_expired_total";
    private static final double[] BUCKETS = {10, 50, 100, 300, 500, 1000, 1500, 2000, 5000, 10000};

    private final PromRegistry registry;
    private final Map<String, String> constLabels;

    public PsrpcMetrics(PromRegistry registry, String nodeId) {
        this.registry = registry;
        this.constLabels = Map.of("node_id", nodeId, "node_type", "EGRESS");
    }

    @Override
    public void onRequest(Role role, String kind, Method<?, ?> method, long durationNanos, ErrorCode error,
                          int rxBytes, int txBytes) {
        Map<String, String> labels = new TreeMap<>(constLabels);
        labels.put("role", role.label());
        labels.put("kind", kind);
        labels.put("service", method.service());
        labels.put("method", method.name());
        bytes(labels, "rx", rxBytes);
        bytes(labels, "tx", txBytes);
        if (error != null) {
            Map<String, String> withCode = new TreeMap<>(labels);
            withCode.put("error_code", error == ErrorCode.OK ? ErrorCode.UNKNOWN.wire() : error.wire());
            registry.counter(ERRORS, "psrpc errors", withCode).inc();
        } else {
            // whole milliseconds, as upstream's observer records them
            registry.observe(REQUEST_TIME, "psrpc request time in ms", labels, BUCKETS, durationNanos / 1_000_000);
        }
    }

    private void bytes(Map<String, String> labels, String direction, int n) {
        Map<String, String> l = new TreeMap<>(labels);
        l.put("direction", direction);
        registry.counter(BYTES, "psrpc protobuf bytes by direction", l).inc(n);
    }

    @Override
    public void onRequestReceived(Method<?, ?> method) {
        registry.counter(RECEIVED, "psrpc requests received by servers", lifecycle(method)).inc();
    }

    @Override
    public void onRequestExpired(Method<?, ?> method) {
        registry.counter(EXPIRED, "psrpc requests dropped as expired before dispatch", lifecycle(method)).inc();
    }

    private Map<String, String> lifecycle(Method<?, ?> method) {
        Map<String, String> labels = new TreeMap<>(constLabels);
        labels.put("service", method.service());
        labels.put("method", method.name());
        return labels;
    }
}
