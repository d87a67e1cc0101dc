package org.jegress.server.psrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.server.psrpc.wire.ClaimRequest;
import org.jegress.server.psrpc.wire.ClaimResponse;
import org.jegress.server.psrpc.wire.Request;
import org.jegress.server.psrpc.wire.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of psrpc (psrpc-wire.md §1.7 server, §1.9, §1.10): handlers registered per (method, topic).
 *
 * <p>For each Request: queue methods first win the Redis lock (done by the bus), expired requests are dropped
 * silently, an undecodable payload gets a {@code malformed_request} Response without a claim, and methods that
 * require a claim bid with a ClaimRequest and proceed only if the client's ClaimResponse names this server.
 * Multi methods answer every request. Handlers run on an executor, never on Redis I/O threads; a handler may
 * block up to the request's expiry.
 *
 * <p>One server ID for all registrations. Thread-safe.
 */
public final class PsrpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PsrpcServer.class);

    private final RedisBus bus;
    private final String id;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final PsrpcObserver observer;
    private final Map<String, HandlerRegistration<?, ?>> registrations = new ConcurrentHashMap<>();

    /** A server with a random {@code SRV_} ID and its own cached thread pool. */
    public PsrpcServer(RedisBus bus) {
        this(bus, Ids.serverId(), null);
    }

    /**
     * @param serverId the ID sent in claims and responses
     * @param executor runs request handling (one task per request, blocking while waiting for the claim
     *                 outcome); {@code null} for an owned cached pool of daemon threads
     */
    public PsrpcServer(RedisBus bus, String serverId, ExecutorService executor) {
        this(bus, serverId, executor, PsrpcObserver.NONE);
    }

    /** As {@link #PsrpcServer(RedisBus, String, ExecutorService)}, reporting every request to {@code observer}. */
    public PsrpcServer(RedisBus bus, String serverId, ExecutorService executor, PsrpcObserver observer) {
        this.bus = bus;
        this.observer = observer;
        this.id = serverId;
        this.ownsExecutor = executor == null;
        this.executor = executor != null ? executor : Executors.newCachedThreadPool(new NamedThreads("psrpc-server"));
    }

    /** This server's ID ({@code SRV_…}). */
    public String id() {
        return id;
    }

    /**
     * Serves a method on a topic, bidding affinity 1.0 when the method requires a claim.
     *
     * @see #register(Method, String, AffinityFunction, Handler)
     */
    public <Q extends Message, R extends Message> Registration register(
            Method<Q, R> method, String topic, Handler<Q, R> handler) {
        return register(method, topic, null, handler);
    }

    /**
     * Serves a method on a topic. Returns once Redis confirmed the REQ subscription (and, for claimed methods,
     * the RCLAIM one, which is subscribed first so no ClaimResponse can be missed).
     *
     * @param topic    the single topic segment; {@code null} or {@code ""} for none
     * @param affinity the bid for claimed methods; {@code null} means always 1.0. A negative value means "do not
     *                 bid": no claim and no response. Ignored for methods without a claim.
     * @throws IllegalStateException if the method and topic are already registered on this server (including a
     *                               registration still draining after {@link Registration#deregister()})
     * @throws PsrpcException        {@code unavailable} if Redis does not confirm the subscriptions
     */
    public <Q extends Message, R extends Message> Registration register(
            Method<Q, R> method, String topic, AffinityFunction<Q> affinity, Handler<Q, R> handler) {
        String key = method.requestChannel(topic);
        HandlerRegistration<Q, R> reg = new HandlerRegistration<>(key, method, affinity, handler);
        if (registrations.putIfAbsent(key, reg) != null) {
            throw new IllegalStateException(method + " is already registered for topic '" + topic + "'");
        }
        try {
            reg.subscribe(topic);
        } catch (RuntimeException e) {
            registrations.remove(key, reg);
            throw e;
        }
        return reg;
    }

    /**
     * Graceful shutdown of every registration (see {@link Registration#deregister()}); blocks until all in-flight
     * requests are done, so it must not be called from a handler.
     */
    public void shutdown() {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (HandlerRegistration<?, ?> reg : registrations.values()) {
            done.add(reg.deregister());
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
    }

    /** Immediate deregistration of everything (see {@link Registration#kill()}). */
    public void kill() {
        registrations.values().forEach(HandlerRegistration::kill);
    }

    /** {@link #shutdown()}, then stops the owned executor. */
    @Override
    public void close() {
        shutdown();
        if (ownsExecutor) {
            executor.shutdown();
        }
    }

    /** Handles one decoded request; runs on the server's executor. */
    @FunctionalInterface
    public interface Handler<Q, R> {
        /**
         * @return the response message
         * @throws Exception an {@link EgressException} travels as its code and message; anything else as
         *                   {@code unknown} with the exception's message
         */
        R handle(RequestContext ctx, Q request) throws Exception;
    }

    /** Computes the bid for a claimed request; a negative value means "do not bid". */
    @FunctionalInterface
    public interface AffinityFunction<Q> {
        float affinity(RequestContext ctx, Q request);
    }

    /** A registered (method, topic). */
    public interface Registration {
        /**
         * Graceful: stops taking requests at once (local delivery ends and REQ is unsubscribed), lets in-flight
         * requests finish, then unsubscribes RCLAIM. Does not block; safe to call from a handler.
         *
         * @return completes when the last in-flight request is done and RCLAIM is unsubscribed
         */
        CompletableFuture<Void> deregister();

        /** Immediate: unsubscribes both channels now; pending claims end silently, running handlers go on. */
        void kill();
    }

    /**
     * What the handler knows about the request.
     *
     * @param requestId   {@code REQ_…}
     * @param clientId    the caller's {@code CLI_…}
     * @param serverId    this server's ID
     * @param sentAtNanos Unix ns the client sent it
     * @param expiryNanos Unix ns deadline after which the client no longer waits
     * @param metadata    the client's outgoing metadata (e.g. {@code traceparent})
     */
    public record RequestContext(String requestId, String clientId, String serverId, long sentAtNanos,
                                 long expiryNanos, Map<String, String> metadata) {
        /** Time left until {@link #expiryNanos()}, zero if passed. */
        public Duration remaining() {
            return Duration.ofNanos(Math.max(0, expiryNanos - Envelope.nowUnixNanos()));
        }
    }

    private final class HandlerRegistration<Q extends Message, R extends Message> implements Registration {
        private final String key;
        private final Method<Q, R> method;
        private final AffinityFunction<Q> affinity;
        private final Handler<Q, R> handler;
        /** Claim slots by request ID, completed with the winner's server ID. */
        private final Map<String, CompletableFuture<String>> claims = new ConcurrentHashMap<>();
        private final CompletableFuture<Void> drained = new CompletableFuture<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile boolean accepting = true;
        private volatile RedisBus.Subscription requests;
        private volatile RedisBus.Subscription claimResponses;

        HandlerRegistration(String key, Method<Q, R> method, AffinityFunction<Q> affinity, Handler<Q, R> handler) {
            this.key = key;
            this.method = method;
            this.affinity = affinity;
            this.handler = handler;
        }

        void subscribe(String topic) {
            if (method.requireClaim()) {
                claimResponses = bus.subscribe(method.claimResponseChannel(topic), this::onClaimResponse);
            }
            try {
                String channel = method.requestChannel(topic);
                requests = method.queue()
                        ? bus.subscribeQueue(channel, this::onRequest)
                        : bus.subscribe(channel, this::onRequest);
            } catch (RuntimeException e) {
                if (claimResponses != null) {
                    claimResponses.close();
                }
                throw e;
            }
        }

        /** Bus thread: hand the request to the executor. */
        private void onRequest(byte[] payload) {
            synchronized (this) {
                if (!accepting) {
                    return;
                }
                inFlight.incrementAndGet();
            }
            try {
                executor.execute(() -> {
                    try {
                        handle(payload);
                    } catch (RuntimeException e) {
                        log.warn("psrpc {} request handling failed", method, e);
                    } finally {
                        finished();
                    }
                });
            } catch (RejectedExecutionException e) {
                finished();
            }
        }

        private void finished() {
            synchronized (this) {
                if (inFlight.decrementAndGet() == 0 && !accepting) {
                    drained.complete(null);
                }
            }
        }

        /** Bus thread: route the client's choice to the waiting request. */
        private void onClaimResponse(byte[] payload) {
            Envelope.decode(payload).ifPresent(m -> {
                if (m instanceof ClaimResponse cr) {
                    CompletableFuture<String> slot = claims.get(cr.getRequestId());
                    if (slot != null) {
                        slot.complete(cr.getServerId());
                    }
                }
            });
        }

        private void handle(byte[] payload) {
            if (!(Envelope.decode(payload).orElse(null) instanceof Request req)) {
                return;
            }
            observer.onRequestReceived(method);
            if (Envelope.nowUnixNanos() >= req.getExpiry()) {
                log.debug("dropping expired {} request {}", method, req.getRequestId());
                observer.onRequestExpired(method);
                return;
            }
            RequestContext ctx = new RequestContext(req.getRequestId(), req.getClientId(), id, req.getSentAt(),
                    req.getExpiry(), req.getMetadataMap());
            Q request;
            try {
                request = method.requestParser().parseFrom(req.getRawRequest());
            } catch (InvalidProtocolBufferException e) {
                // Answered at once, without a claim (§1.7 server step 4).
                respond(ctx, failure(new PsrpcException(ErrorCode.MALFORMED_REQUEST, String.valueOf(e.getMessage()))));
                return;
            }
            if (method.requireClaim() && !claim(ctx, request)) {
                return;
            }
            long start = System.nanoTime();
            Response.Builder res;
            try {
                R out = handler.handle(ctx, request);
                res = Response.newBuilder().setRawResponse(out.toByteString());
            } catch (Exception e) {
                res = failure(e);
            }
            respond(ctx, res);
            observer.onRequest(PsrpcObserver.Role.SERVER, "rpc", method, System.nanoTime() - start,
                    res.getError().isEmpty() ? null : ErrorCode.fromWire(res.getCode()),
                    req.getRawRequest().size(), res.getRawResponse().size());
        }

        /** Bids and waits for the client's ClaimResponse until the request's expiry; true if we won. */
        private boolean claim(RequestContext ctx, Q request) {
            float bid;
            try {
                bid = affinity == null ? 1f : affinity.affinity(ctx, request);
            } catch (RuntimeException e) {
                log.warn("affinity function of {} failed, not bidding", method, e);
                return false;
            }
            if (bid < 0 || Float.isNaN(bid)) {
                return false;
            }
            CompletableFuture<String> slot = new CompletableFuture<>();
            claims.put(ctx.requestId(), slot); // before the ClaimRequest goes out, so the answer finds it
            try {
                bus.publish(Channels.claim(method.service(), ctx.clientId()), Envelope.encode(ClaimRequest.newBuilder()
                        .setRequestId(ctx.requestId())
                        .setServerId(id)
                        .setAffinity(bid)
                        .build()));
                String winner = slot.get(ctx.expiryNanos() - Envelope.nowUnixNanos(), TimeUnit.NANOSECONDS);
                return id.equals(winner);
            } catch (TimeoutException | ExecutionException | CancellationException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                claims.remove(ctx.requestId());
            }
        }

        private void respond(RequestContext ctx, Response.Builder res) {
            // Published even if the expiry passed meanwhile; the client just ignores it (§1.7 server step 6).
            bus.publish(Channels.response(method.service(), ctx.clientId()), Envelope.encode(res
                    .setRequestId(ctx.requestId())
                    .setServerId(id)
                    .setSentAt(Envelope.nowUnixNanos())
                    .build()));
        }

        @Override
        public CompletableFuture<Void> deregister() {
            synchronized (this) {
                if (accepting) {
                    accepting = false;
                    if (inFlight.get() == 0) {
                        drained.complete(null);
                    }
                }
            }
            closeQuietly(requests);
            return drained.thenRun(() -> {
                closeQuietly(claimResponses);
                registrations.remove(key, this);
            });
        }

        @Override
        public void kill() {
            synchronized (this) {
                accepting = false;
            }
            closeQuietly(requests);
            closeQuietly(claimResponses);
            claims.values().forEach(slot -> slot.cancel(false));
            registrations.remove(key, this);
        }
    }

    private static void closeQuietly(RedisBus.Subscription sub) {
        if (sub != null) {
            sub.close();
        }
    }

    /**
     * The error part of a Response for a thrown exception (§1.11). The message must not be empty: an empty
     * {@code error} would read as success on the client, so an empty message becomes the code string.
     */
    static Response.Builder failure(Throwable e) {
        Response.Builder res = Response.newBuilder();
        if (e instanceof EgressException ee) {
            ErrorCode code = ee.code() == null || ee.code() == ErrorCode.OK ? ErrorCode.UNKNOWN : ee.code();
            String message = ee.getMessage();
            res.setError(message == null || message.isEmpty() ? code.wire() : message).setCode(code.wire());
            if (ee instanceof PsrpcException pe) {
                res.addAllErrorDetails(pe.details());
            }
        } else {
            String message = e.getMessage();
            res.setError(message == null || message.isEmpty() ? e.toString() : message)
                    .setCode(ErrorCode.UNKNOWN.wire());
        }
        return res;
    }
}
