package org.jegress.api.time;

import java.time.Clock;
import java.time.Duration;

/**
 * Runs delayed and periodic work for one egress (session limits, stream liveness polls, retry timers) and tells the
 * time. Injected, so that timing rules are tested with {@link ManualScheduler} instead of sleeping.
 */
public interface Scheduler {

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Task {
        /** Cancels the task; a task already running finishes. Idempotent. */
        void cancel();
    }

    Clock clock();

    /** Runs {@code task} once after {@code delay}. */
    Task schedule(Duration delay, Runnable task);

    /** Runs {@code task} every {@code period}, the first time after one period, until cancelled. */
    Task every(Duration period, Runnable task);
}
