package org.jegress.server.psrpc;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import io.lettuce.core.api.async.RedisStringAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jegress.api.error.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * psrpc's message bus on Redis (psrpc-wire.md §1.1): PUBLISH/SUBSCRIBE on exact channel names plus the
 * {@code SET key value EX 5 NX} lock of queue subscriptions.
 *
 * <p>One dedicated Pub/Sub connection and one command connection, both binary ({@link ByteArrayCodec}), since
 * payloads are protobuf. Redis subscriptions are reference-counted per channel: the first local subscriber sends
 * SUBSCRIBE, the last one to leave sends UNSUBSCRIBE. {@link #subscribe} returns only once Redis has confirmed
 * the SUBSCRIBE, because Pub/Sub drops anything published before that. After a connection loss Lettuce
 * reconnects and resubscribes the confirmed channels by itself; messages published meanwhile are lost, as in Go.
 *
 * <p>In Redis Cluster mode ({@link #connectCluster}) the Pub/Sub connection subscribes on one node (a classic
 * PUBLISH reaches every node of the cluster, as go-redis' cluster client relies on) and the queue lock keys are
 * routed to their slot's master.
 *
 * <p>Subscribers are called on one bus thread, in arrival order, never on a Netty event loop; they must not
 * block. Thread-safe.
 */
public final class RedisBus implements AutoCloseable {
    /** Lifetime of a queue lock key (go-redis {@code SetNX(key, rand.Int(), 5s)}). */
    public static final Duration QUEUE_LOCK_TTL = Duration.ofSeconds(5);
    /** Default wait for Redis to confirm a SUBSCRIBE, and the command timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(RedisBus.class);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
    private final StatefulConnection<byte[], byte[]> commands;
    /** PUBLISH, on either kind of connection. */
    private final BaseRedisAsyncCommands<byte[], byte[]> publisher;
    /** SET of the queue lock, on either kind of connection. */
    private final RedisStringAsyncCommands<byte[], byte[]> locker;
    private final ExecutorService dispatcher;
    private final Duration timeout;
    /** Guards channel state changes so SUBSCRIBE/UNSUBSCRIBE reach Redis in the order of local decisions. */
    private final Object lock = new Object();
    private final Map<String, ChannelState> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RedisBus(Duration timeout, Function<ClientResources, AbstractRedisClient> clients) {
        this.timeout = timeout;
        // Reconnect quickly after a Redis restart (10 ms doubling up to 2 s); every outage loses messages.
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(2), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = clients.apply(resources);
        this.dispatcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "psrpc-bus");
            t.setDaemon(true);
            return t;
        });
        try {
            if (client instanceof RedisClusterClient cluster) {
                StatefulRedisClusterConnection<byte[], byte[]> c = cluster.connect(ByteArrayCodec.INSTANCE);
                this.commands = c;
                this.publisher = c.async();
                this.locker = c.async();
                this.pubSub = cluster.connectPubSub(ByteArrayCodec.INSTANCE);
            } else {
                StatefulRedisConnection<byte[], byte[]> c = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
                this.commands = c;
                this.publisher = c.async();
                this.locker = c.async();
                this.pubSub = ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
            }
        } catch (RuntimeException e) {
            shutdownClient();
            throw e;
        }
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                // Called on a Netty event loop: hand off at once, keeping arrival order.
                String name = new String(channel, StandardCharsets.ISO_8859_1);
                try {
                    dispatcher.execute(() -> deliver(name, message));
                } catch (RejectedExecutionException e) {
                    log.debug("bus closed, dropping message on {}", name);
                }
            }
        });
    }

    private static SocketOptions socketOptions(Duration timeout) {
        return SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
    }

    /** Connects to Redis with {@link #DEFAULT_TIMEOUT}. */
    public static RedisBus connect(RedisURI uri) {
        return connect(uri, DEFAULT_TIMEOUT);
    }

    /**
     * Connects both connections, failing if Redis is unreachable now.
     *
     * @param timeout connect timeout, command timeout and the longest {@link #subscribe} waits for confirmation
     */
    public static RedisBus connect(RedisURI uri, Duration timeout) {
        return new RedisBus(timeout, resources -> {
            RedisClient c = RedisClient.create(resources, uri);
            c.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    // Bound commands queued while disconnected; a stale publish is worthless after its expiry.
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .socketOptions(socketOptions(timeout))
                    .build());
            return c;
        });
    }

    /**
     * Connects to a Redis Cluster through its seed nodes ({@code cluster_addresses}).
     *
     * @param maxRedirects MOVED/ASK redirects followed per command ({@code max_redirects})
     */
    public static RedisBus connectCluster(List<RedisURI> seeds, int maxRedirects, Duration timeout) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no cluster seed nodes");
        }
        return new RedisBus(timeout, resources -> {
            RedisClusterClient c = RedisClusterClient.create(resources, seeds);
            c.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .maxRedirects(maxRedirects)
                    // follow failovers and resharding without waiting for a MOVED to be noticed
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .socketOptions(socketOptions(timeout))
                    .build());
            return c;
        });
    }

    /** Connects to a {@code redis://host:port[/db]} style URI. */
    public static RedisBus connect(String uri) {
        return connect(RedisURI.create(uri));
    }

    /** True while both connections are up (false while Lettuce is reconnecting). */
    public boolean isConnected() {
        return pubSub.isOpen() && commands.isOpen();
    }

    /**
     * PUBLISHes a payload. Failures are logged, as in Go, and also complete the returned future exceptionally;
     * callers of RPCs never see them (a lost message shows up as a timeout).
     *
     * @return completes with the number of Redis subscribers that received the message
     */
    public CompletableFuture<Long> publish(String channel, byte[] payload) {
        CompletableFuture<Long> f = publisher
                .publish(channel.getBytes(StandardCharsets.ISO_8859_1), payload)
                .toCompletableFuture();
        f.whenComplete((n, e) -> {
            if (e != null) {
                log.warn("psrpc publish to {} failed: {}", channel, e.toString());
            }
        });
        return f;
    }

    /**
     * Subscribes to a channel: every message on it is passed to {@code consumer}. Returns after Redis has
     * confirmed the subscription.
     *
     * @throws PsrpcException {@code unavailable} if Redis does not confirm within the bus timeout
     */
    public Subscription subscribe(String channel, Consumer<byte[]> consumer) {
        return subscribe(channel, consumer, false);
    }

    /**
     * Subscribes as a queue subscriber (§1.9): each message goes to one local queue subscriber (round-robin),
     * which receives it only if this process wins {@code SET <queueLockKey> <rand> EX 5 NX}; losers drop it.
     *
     * @throws PsrpcException {@code unavailable} if Redis does not confirm within the bus timeout
     */
    public Subscription subscribeQueue(String channel, Consumer<byte[]> consumer) {
        return subscribe(channel, consumer, true);
    }

    /**
     * Takes the queue lock for a payload: {@code SET <base64(sha256(payload))> <random non-negative> EX 5 NX}.
     *
     * @return true if this caller got {@code OK}
     */
    public CompletableFuture<Boolean> tryQueueLock(byte[] payload) {
        byte[] value = Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE))
                .getBytes(StandardCharsets.US_ASCII);
        return locker
                .set(Envelope.queueLockKeyBytes(payload), value,
                        SetArgs.Builder.ex(QUEUE_LOCK_TTL.toSeconds()).nx())
                .toCompletableFuture()
                .thenApply("OK"::equals);
    }

    private Subscription subscribe(String channel, Consumer<byte[]> consumer, boolean queue) {
        Sub sub;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("bus is closed");
            }
            ChannelState state = channels.computeIfAbsent(channel, c -> new ChannelState(
                    pubSub.async().subscribe(c.getBytes(StandardCharsets.ISO_8859_1)).toCompletableFuture()));
            sub = new Sub(channel, state, consumer, queue);
            (queue ? state.queue : state.normal).add(sub);
        }
        try {
            // A later subscriber to a channel already being subscribed waits for that same confirmation.
            sub.state.confirmed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return sub;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sub.close();
            throw new PsrpcException(ErrorCode.CANCELED, "subscribe to " + channel + " interrupted");
        } catch (ExecutionException | TimeoutException e) {
            sub.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PsrpcException(ErrorCode.UNAVAILABLE, "subscribe to " + channel + " failed: " + cause);
        }
    }

    private void unsubscribe(Sub sub) {
        synchronized (lock) {
            ChannelState state = sub.state;
            (sub.queue ? state.queue : state.normal).remove(sub);
            if (state.isEmpty() && channels.remove(sub.channel, state) && !closed) {
                pubSub.async().unsubscribe(sub.channel.getBytes(StandardCharsets.ISO_8859_1))
                        .whenComplete((v, e) -> {
                            if (e != null) {
                                log.debug("unsubscribe from {} failed: {}", sub.channel, e.toString());
                            }
                        });
            }
        }
    }

    /** Runs on the bus thread. */
    private void deliver(String channel, byte[] payload) {
        ChannelState state = channels.get(channel);
        if (state == null) {
            return;
        }
        for (Sub sub : state.normal) {
            sub.accept(payload);
        }
        List<Sub> queue = state.queue;
        if (queue.isEmpty()) {
            return;
        }
        Sub chosen;
        try {
            chosen = queue.get(Math.floorMod(state.next++, queue.size()));
        } catch (IndexOutOfBoundsException e) {
            return; // the last queue subscriber left meanwhile
        }
        // Lock before anything else, even for requests that turn out to be expired (§1.7 step 2).
        tryQueueLock(payload).whenCompleteAsync((won, e) -> {
            if (e != null) {
                log.warn("queue lock on {} failed, dropping message: {}", channel, e.toString());
            } else if (won) {
                chosen.accept(payload);
            }
        }, dispatcher);
    }

    /**
     * Closes both connections. Subscriptions end with them; later calls fail. Messages still queued for
     * subscribers are dropped.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            channels.clear();
        }
        try {
            pubSub.close();
            commands.close();
        } finally {
            dispatcher.shutdownNow();
            shutdownClient();
        }
    }

    private void shutdownClient() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** A local subscription; {@link #close()} removes it (the last one of a channel UNSUBSCRIBEs). */
    public interface Subscription extends AutoCloseable {
        /** The subscribed channel name. */
        String channel();

        /** Stops delivery at once; idempotent. */
        @Override
        void close();
    }

    private static final class ChannelState {
        final CompletableFuture<Void> confirmed;
        final List<Sub> normal = new CopyOnWriteArrayList<>();
        final List<Sub> queue = new CopyOnWriteArrayList<>();
        /** Round-robin position among queue subscribers; only touched on the bus thread. */
        int next;

        ChannelState(CompletableFuture<Void> confirmed) {
            this.confirmed = confirmed;
        }

        boolean isEmpty() {
            return normal.isEmpty() && queue.isEmpty();
        }
    }

    private final class Sub implements Subscription {
        final String channel;
        final ChannelState state;
        final Consumer<byte[]> consumer;
        final boolean queue;
        volatile boolean closed;

        Sub(String channel, ChannelState state, Consumer<byte[]> consumer, boolean queue) {
            this.channel = channel;
            this.state = state;
            this.consumer = consumer;
            this.queue = queue;
        }

        void accept(byte[] payload) {
            if (closed) {
                return;
            }
            try {
                consumer.accept(payload);
            } catch (RuntimeException e) {
                log.warn("psrpc subscriber of {} failed", channel, e);
            }
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                unsubscribe(this);
            }
        }
    }
}
