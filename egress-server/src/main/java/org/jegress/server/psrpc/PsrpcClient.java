package org.jegress.server.psrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jegress.api.error.ErrorCode;
import org.jegress.server.psrpc.wire.ClaimRequest;
import org.jegress.server.psrpc.wire.ClaimResponse;
import org.jegress.server.psrpc.wire.Request;
import org.jegress.server.psrpc.wire.Response;

/**
 * The calling side of psrpc for one service (psrpc-wire.md §1.7 client, §1.8, §1.10), like one generated Go
 * client: a {@code CLI_} ID whose {@code <service>|<id>|RES} and {@code <service>|<id>|CLAIM} channels are
 * subscribed, and confirmed by Redis, before the constructor returns, hence before any request is published.
 *
 * <p>Calls block the calling thread ({@link #callAsync} runs them on the client's own threads). Thread-safe.
 */
public final class PsrpcClient implements AutoCloseable {
    private static final Object CLOSED = new Object();

    private final RedisBus bus;
    private final String service;
    private final String id;
    private final Duration selectionTimeout;
    private final PsrpcObserver observer;
    private final Map<String, BlockingQueue<Object>> pending = new ConcurrentHashMap<>();
    private final RedisBus.Subscription responses;
    private final RedisBus.Subscription claims;
    private final ExecutorService asyncExecutor = Executors.newCachedThreadPool(new NamedThreads("psrpc-client"));
    private volatile boolean closed;

    /** A client with a random {@code CLI_} ID and psrpc's default 1 s selection timeout. */
    public PsrpcClient(RedisBus bus, String service) {
        this(bus, service, Ids.clientId(), CallOptions.Selection.DEFAULT_AFFINITY_TIMEOUT);
    }

    /**
     * @param service          the service all calls belong to, e.g. {@code IOInfo}
     * @param selectionTimeout psrpc {@code SelectionTimeout}, the affinity timeout of method-derived selection;
     *                         zero means selection lasts until the request timeout (the Go egress IOInfo default)
     * @throws PsrpcException {@code unavailable} if Redis does not confirm the subscriptions
     */
    public PsrpcClient(RedisBus bus, String service, String clientId, Duration selectionTimeout) {
        this(bus, service, clientId, selectionTimeout, PsrpcObserver.NONE);
    }

    /** As {@link #PsrpcClient(RedisBus, String, String, Duration)}, reporting every call to {@code observer}. */
    public PsrpcClient(RedisBus bus, String service, String clientId, Duration selectionTimeout,
                       PsrpcObserver observer) {
        this.bus = bus;
        this.observer = observer;
        this.service = service;
        this.id = clientId;
        this.selectionTimeout = selectionTimeout;
        this.responses = bus.subscribe(Channels.response(service, clientId), this::onMessage);
        try {
            this.claims = bus.subscribe(Channels.claim(service, clientId), this::onMessage);
        } catch (RuntimeException e) {
            responses.close();
            throw e;
        }
    }

    /** This client's ID ({@code CLI_…}). */
    public String id() {
        return id;
    }

    /** The service this client calls. */
    public String service() {
        return service;
    }

    /** {@link #call(Method, String, Message, CallOptions)} with {@link CallOptions#defaults()}. */
    public <Q extends Message, R extends Message> R call(Method<Q, R> method, String topic, Q request) {
        return call(method, topic, request, CallOptions.defaults());
    }

    /**
     * A unary RPC: publishes the Request, selects a server from the claims if the method requires one,
     * publishes the ClaimResponse and waits for the Response.
     *
     * @param topic the single topic segment; {@code null} or {@code ""} for none
     * @return the decoded response
     * @throws PsrpcException the server's error (its code and message), or {@code unavailable} "no response
     *                        from servers" / "no servers available (received N responses)", {@code
     *                        deadline_exceeded} "request timed out", {@code canceled} on interrupt or close,
     *                        {@code malformed_result} if the response does not decode
     */
    public <Q extends Message, R extends Message> R call(Method<Q, R> method, String topic, Q request,
                                                         CallOptions options) {
        check(method, false);
        String requestId = Ids.requestId();
        long start = System.nanoTime();
        long deadline = start + options.timeout().toNanos();
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        pending.put(requestId, events); // before publishing: the first claim may come back at once
        Request wire = request(requestId, request, options, false);
        Response response = null;
        ErrorCode failed = null;
        try {
            bus.publish(method.requestChannel(topic), Envelope.encode(wire));
            Response early = null;
            if (method.requireClaim()) {
                CallOptions.Selection selection = options.selection() != null
                        ? options.selection() : CallOptions.Selection.forMethod(method, selectionTimeout);
                Selected selected = select(events, selection, deadline);
                early = selected.response;
                bus.publish(method.claimResponseChannel(topic), Envelope.encode(ClaimResponse.newBuilder()
                        .setRequestId(requestId)
                        .setServerId(selected.serverId)
                        .build()));
            }
            response = early != null ? early : awaitResponse(events, deadline);
            return decode(method, response);
        } catch (PsrpcException e) {
            failed = e.code() == null ? ErrorCode.UNKNOWN : e.code();
            throw e;
        } finally {
            pending.remove(requestId);
            observer.onRequest(PsrpcObserver.Role.CLIENT, "rpc", method, System.nanoTime() - start, failed,
                    response == null ? 0 : response.getRawResponse().size(), wire.getRawRequest().size());
        }
    }

    /** {@link #call(Method, String, Message, CallOptions)} on the client's threads. */
    public <Q extends Message, R extends Message> CompletableFuture<R> callAsync(
            Method<Q, R> method, String topic, Q request, CallOptions options) {
        return CompletableFuture.supplyAsync(() -> call(method, topic, request, options), asyncExecutor);
    }

    /**
     * A multi RPC (§1.10): publishes one Request and collects every Response until the timeout; there is no
     * way to know how many servers will answer.
     *
     * @return one result per responding server, in arrival order
     */
    public <Q extends Message, R extends Message> List<MultiResult<R>> multi(Method<Q, R> method, String topic,
                                                                            Q request, CallOptions options) {
        check(method, true);
        String requestId = Ids.requestId();
        long start = System.nanoTime();
        long deadline = start + options.timeout().toNanos();
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        pending.put(requestId, events);
        List<MultiResult<R>> results = new ArrayList<>();
        Request wire = request(requestId, request, options, true);
        int rx = 0;
        try {
            bus.publish(method.requestChannel(topic), Envelope.encode(wire));
            Object event;
            while ((event = poll(events, deadline)) != null) {
                if (event instanceof Response r) {
                    rx += r.getRawResponse().size();
                    try {
                        results.add(new MultiResult<>(r.getServerId(), decode(method, r), null));
                    } catch (PsrpcException e) {
                        results.add(new MultiResult<>(r.getServerId(), null, e));
                    }
                }
            }
            return results;
        } finally {
            pending.remove(requestId);
            observer.onRequest(PsrpcObserver.Role.CLIENT, "multirpc", method, System.nanoTime() - start,
                    results.isEmpty() ? ErrorCode.UNKNOWN : null, rx, wire.getRawRequest().size());
        }
    }

    /**
     * One server's answer to a multi RPC: exactly one of {@code result} and {@code error} is set.
     *
     * @param serverId the responding server
     */
    public record MultiResult<R>(String serverId, R result, PsrpcException error) {
    }

    /** Unsubscribes; calls in progress fail with {@code canceled} "client is closed". */
    @Override
    public void close() {
        closed = true;
        responses.close();
        claims.close();
        pending.values().forEach(q -> q.add(CLOSED));
        asyncExecutor.shutdown();
    }

    private void check(Method<?, ?> method, boolean multi) {
        if (!service.equals(method.service())) {
            throw new IllegalArgumentException(method + " does not belong to service " + service);
        }
        if (method.multi() != multi) {
            throw new IllegalArgumentException(method + (multi ? " is not" : " is") + " a multi RPC");
        }
        if (closed) {
            throw PsrpcException.clientClosed();
        }
    }

    private Request request(String requestId, Message request, CallOptions options, boolean multi) {
        long now = Envelope.nowUnixNanos();
        return Request.newBuilder()
                .setRequestId(requestId)
                .setClientId(id)
                .setSentAt(now)
                .setExpiry(now + options.timeout().toNanos())
                .setMulti(multi)
                .putAllMetadata(options.metadata())
                .setRawRequest(request.toByteString())
                .build();
    }

    /** Bus thread: route claims and responses to the waiting call; unknown request IDs are late, dropped. */
    private void onMessage(byte[] payload) {
        Envelope.decode(payload).ifPresent(m -> {
            String requestId;
            if (m instanceof Response r) {
                requestId = r.getRequestId();
            } else if (m instanceof ClaimRequest c) {
                requestId = c.getRequestId();
            } else {
                return;
            }
            BlockingQueue<Object> events = pending.get(requestId);
            if (events != null) {
                events.add(m);
            }
        });
    }

    private record Selected(String serverId, Response response) {
    }

    /** The selection loop of §1.8; ends at the affinity timeout, the request deadline or the short circuit. */
    private Selected select(BlockingQueue<Object> events, CallOptions.Selection opts, long deadline) {
        long end = deadline;
        if (opts.affinityTimeout().toNanos() > 0) {
            end = Math.min(end, System.nanoTime() + opts.affinityTimeout().toNanos());
        }
        boolean shortCircuited = false;
        String best = null;
        float bestAffinity = 0;
        int claimCount = 0;
        Response early = null;
        Object event;
        while ((event = poll(events, end)) != null) {
            if (event instanceof ClaimRequest claim) {
                claimCount++;
                float affinity = claim.getAffinity();
                if (opts.minimumAffinity() > 0 && affinity < opts.minimumAffinity()) {
                    continue;
                }
                if (opts.acceptFirstAvailable() || opts.maximumAffinity() > 0 && affinity >= opts.maximumAffinity()) {
                    return new Selected(claim.getServerId(), early);
                }
                if (affinity > bestAffinity) { // strict: ties go to the first, affinity 0 never wins
                    best = claim.getServerId();
                    bestAffinity = affinity;
                }
                if (!shortCircuited && opts.shortCircuitTimeout().toNanos() > 0) {
                    shortCircuited = true;
                    end = Math.min(end, System.nanoTime() + opts.shortCircuitTimeout().toNanos());
                }
            } else if (event instanceof Response response) {
                if (!response.getError().isEmpty()) {
                    throw PsrpcException.fromResponse(response); // e.g. malformed_request, sent without a claim
                }
                early = response;
            }
        }
        if (best != null) {
            return new Selected(best, early);
        }
        throw claimCount == 0 ? PsrpcException.noResponse() : PsrpcException.noServersAvailable(claimCount);
    }

    private Response awaitResponse(BlockingQueue<Object> events, long deadline) {
        Object event;
        while ((event = poll(events, deadline)) != null) {
            if (event instanceof Response response) {
                return response;
            }
        }
        throw PsrpcException.requestTimedOut();
    }

    /** Next event before {@code end} ({@link System#nanoTime()}), or null when it passed. */
    private static Object poll(BlockingQueue<Object> events, long end) {
        try {
            long wait = end - System.nanoTime();
            Object event = wait > 0 ? events.poll(wait, TimeUnit.NANOSECONDS) : events.poll();
            if (event == CLOSED) {
                events.add(CLOSED);
                throw PsrpcException.clientClosed();
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PsrpcException.requestCanceled();
        }
    }

    private static <R extends Message> R decode(Method<?, R> method, Response response) {
        if (!response.getError().isEmpty()) {
            throw PsrpcException.fromResponse(response);
        }
        try {
            return method.responseParser().parseFrom(response.getRawResponse());
        } catch (InvalidProtocolBufferException e) {
            throw new PsrpcException(ErrorCode.MALFORMED_RESULT, String.valueOf(e.getMessage()));
        }
    }
}
