package org.jegress.server.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.status.EgressStatusTracker;
import org.jegress.server.psrpc.CallOptions;
import org.jegress.server.psrpc.Method;
import org.jegress.server.psrpc.PsrpcClient;
import org.jegress.server.psrpc.PsrpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports EgressInfo to livekit-server through IOInfo, the way the Go worker does (psrpc-wire.md §2.5):
 * {@code CreateEgress} before any {@code UpdateEgress} of the same egress (otherwise livekit-server skips the
 * create: no {@code egress_started} webhook, no room index); updates of one egress sent one at a time, in order,
 * and coalesced so the newest state wins; a failed update retried with exponential backoff from 250 ms to 1 min
 * while the reporter counts as unhealthy (the worker then stops bidding for new work).
 */
final class IoReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IoReporter.class);
    static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final PsrpcClient io;
    private final Duration createTimeout;
    private final Duration updateTimeout;
    private final ExecutorService[] workers;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Unix millis since when updates have been failing; 0 while healthy. */
    private final AtomicLong unhealthySince = new AtomicLong();

    /** Per-egress state: the create in flight, and the newest update not yet sent. */
    private static final class Entry {
        final CompletableFuture<Void> created = new CompletableFuture<>();
        EgressInfo latest;
        boolean draining;
        final CompletableFuture<Void> idle = new CompletableFuture<>();
    }

    /**
     * @param io IOInfo client
     * @param createTimeout {@code io_create_timeout} (15 s)
     * @param updateTimeout {@code io_update_timeout} (30 s)
     * @param workers {@code io_workers} (5): egresses are spread over this many sequential queues
     */
    IoReporter(PsrpcClient io, Duration createTimeout, Duration updateTimeout, int workers) {
        this.io = io;
        this.createTimeout = createTimeout;
        this.updateTimeout = updateTimeout;
        this.workers = new ExecutorService[Math.max(1, workers)];
        for (int i = 0; i < this.workers.length; i++) {
            int n = i;
            this.workers[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "io-updates-" + n);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Sends CreateEgress; updates for this egress wait until it is done. Completes exceptionally on failure. */
    CompletableFuture<Void> create(EgressInfo info) {
        Entry e = entries.computeIfAbsent(info.getEgressId(), id -> new Entry());
        io.callAsync(Method.IO_CREATE_EGRESS, "", info, CallOptions.withTimeoutOf(createTimeout))
                .whenComplete((ok, err) -> {
                    if (err != null) {
                        LOG.warn("{}: CreateEgress failed: {}", info.getEgressId(), err.getMessage());
                        e.created.completeExceptionally(err.getCause() != null ? err.getCause() : err);
                    } else {
                        e.created.complete(null);
                    }
                });
        return e.created;
    }

    /** Queues an update; only the newest queued one is sent. */
    void update(EgressInfo info) {
        Entry e = entries.computeIfAbsent(info.getEgressId(), id -> {
            Entry fresh = new Entry();
            fresh.created.complete(null); // no create in flight: nothing to wait for
            return fresh;
        });
        synchronized (e) {
            e.latest = info;
            if (e.draining) {
                return;
            }
            e.draining = true;
        }
        queueFor(info.getEgressId()).execute(() -> drain(info.getEgressId(), e));
    }

    private void drain(String egressId, Entry e) {
        e.created.handle((v, err) -> null).join(); // a failed create still lets the final update through
        while (true) {
            EgressInfo next;
            synchronized (e) {
                next = e.latest;
                e.latest = null;
                if (next == null) {
                    e.draining = false;
                    return;
                }
            }
            sendWithRetry(e, next);
            if (EgressStatusTracker.isTerminal(next.getStatus())) {
                synchronized (e) {
                    if (e.latest == null) {
                        entries.remove(egressId, e);
                        e.idle.complete(null);
                    }
                }
            }
        }
    }

    private void sendWithRetry(Entry e, EgressInfo info) {
        long backoff = MIN_BACKOFF.toMillis();
        while (true) {
            try {
                io.call(Method.IO_UPDATE_EGRESS, "", info, CallOptions.withTimeoutOf(updateTimeout));
                unhealthySince.set(0);
                return;
            } catch (PsrpcException ex) {
                if (ex.code() != ErrorCode.DEADLINE_EXCEEDED && ex.code() != ErrorCode.UNAVAILABLE) {
                    LOG.warn("{}: UpdateEgress rejected: {}", info.getEgressId(), ex.getMessage());
                    return;
                }
                unhealthySince.compareAndSet(0, System.currentTimeMillis());
                LOG.warn("{}: UpdateEgress failed ({}), retrying in {} ms", info.getEgressId(), ex.getMessage(),
                        backoff);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            synchronized (e) {
                if (e.latest != null) {
                    // Something newer is waiting: send that instead of the stale state.
                    info = e.latest;
                    e.latest = null;
                }
            }
        }
    }

    /** False while updates are failing; the worker stops bidding meanwhile. */
    boolean healthy() {
        return unhealthySince.get() == 0;
    }

    /** How long updates have been failing, zero when healthy. */
    Duration unhealthyFor() {
        long since = unhealthySince.get();
        return since == 0 ? Duration.ZERO : Duration.ofMillis(System.currentTimeMillis() - since);
    }

    /** Waits until every final update has been delivered, at most {@code max}. */
    void flush(Duration max) {
        CompletableFuture<?>[] pending = entries.values().stream().map(en -> en.idle).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(pending).get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("IO updates not flushed within {} s ({} egress pending)", max.toSeconds(), entries.size());
        }
    }

    private ExecutorService queueFor(String egressId) {
        return workers[Math.floorMod(egressId.hashCode(), workers.length)];
    }

    @Override
    public void close() {
        for (ExecutorService w : workers) {
            w.shutdownNow();
        }
    }
}
