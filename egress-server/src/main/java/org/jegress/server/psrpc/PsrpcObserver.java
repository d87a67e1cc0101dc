package org.jegress.server.psrpc;

import org.jegress.api.error.ErrorCode;

/**
 * Told about every RPC a {@link PsrpcServer} handles and a {@link PsrpcClient} makes, for psrpc's Prometheus
 * metrics ({@code livekit_psrpc_*}). Called on the threads doing the RPC; must not block.
 */
public interface PsrpcObserver {
    /** Observes nothing. */
    PsrpcObserver NONE = new PsrpcObserver() {
    };

    /** Which side of the RPC this process is ({@code role} label). */
    enum Role {
        CLIENT, SERVER;

        public String label() {
            return this == CLIENT ? "client" : "server";
        }
    }

    /**
     * One finished RPC: a request this server handled (claimed and answered), or a call or multi-call of this
     * client.
     *
     * @param kind          "rpc" (unary; every request a server handles) or "multirpc" (a client's multi call)
     * @param durationNanos from the request's arrival (server: after a won claim) or publication (client) to the
     *                      answer
     * @param error         the failure's code, or {@code null} on success (a multi call without any answer fails
     *                      with {@link ErrorCode#UNKNOWN}, as upstream)
     * @param rxBytes       protobuf bytes received (server: the request; client: the responses)
     * @param txBytes       protobuf bytes sent
     */
    default void onRequest(Role role, String kind, Method<?, ?> method, long durationNanos, ErrorCode error,
                           int rxBytes, int txBytes) {
    }

    /** A request arrived at a server (before the expiry check and any claim). */
    default void onRequestReceived(Method<?, ?> method) {
    }

    /** A server dropped a request that had expired before it could be handled. */
    default void onRequestExpired(Method<?, ?> method) {
    }
}
