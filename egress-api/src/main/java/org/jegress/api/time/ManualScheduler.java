package org.jegress.api.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A scheduler whose time only moves when a test calls {@link #advance}: due tasks then run on the caller's thread,
 * in time order. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {

    private final Object lock = new Object();
    private final List<Entry> entries = new ArrayList<>();
    private Instant now;
    private long sequence;
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            synchronized (lock) {
                return now;
            }
        }
    };

    private static final class Entry {
        Instant due;
        final Duration period;
        final Runnable task;
        final long order;
        boolean cancelled;

        Entry(Instant due, Duration period, Runnable task, long order) {
            this.due = due;
            this.period = period;
            this.task = task;
            this.order = order;
        }
    }

    public ManualScheduler(Instant start) {
        this.now = start;
    }

    public ManualScheduler() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Task schedule(Duration delay, Runnable task) {
        return add(delay, null, task);
    }

    @Override
    public Task every(Duration period, Runnable task) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be positive");
        }
        return add(period, period, task);
    }

    private Task add(Duration delay, Duration period, Runnable task) {
        Entry e;
        synchronized (lock) {
            e = new Entry(now.plus(delay), period, task, sequence++);
            entries.add(e);
        }
        return () -> {
            synchronized (lock) {
                e.cancelled = true;
                entries.remove(e);
            }
        };
    }

    /** Moves time forward, running every task that falls due on the way (periodic ones as often as due). */
    public void advance(Duration d) {
        Instant target;
        synchronized (lock) {
            target = now.plus(d);
        }
        while (true) {
            Entry next;
            synchronized (lock) {
                next = entries.stream().filter(e -> !e.due.isAfter(target))
                        .min(Comparator.<Entry, Instant>comparing(e -> e.due).thenComparingLong(e -> e.order))
                        .orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                now = next.due;
                if (next.period == null) {
                    entries.remove(next);
                } else {
                    next.due = next.due.plus(next.period);
                }
            }
            next.task.run();
        }
    }

    /** Tasks waiting to run. */
    public int pending() {
        synchronized (lock) {
            return entries.size();
        }
    }
}
