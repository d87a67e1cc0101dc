package org.jegress.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jegress.api.time.Scheduler;

/** The real scheduler: one daemon thread per egress and the system clock. */
final class SystemScheduler implements Scheduler, AutoCloseable {

    private final Clock clock;
    private final ScheduledExecutorService executor;

    SystemScheduler(Clock clock, String name) {
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Task schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Task every(Duration period, Runnable task) {
        ScheduledFuture<?> f = executor.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
