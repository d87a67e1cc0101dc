package org.jegress.api.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The health of one RTMP destination, upstream's rules (O13, O14) on an injected clock:
 *
 * <ul>
 * <li><b>Liveness</b>: the sink's byte counter is polled every {@link #POLL}; growth above {@link #PROGRESS_BYTES}
 * between two polls is real progress (below it is the chatter of a connect/publish attempt). No progress for
 * {@link #IDLE_TIMEOUT} while connected means the destination is wedged.</li>
 * <li><b>Reconnects</b>: an error on a stream that never made progress and was never acknowledged fails it at once
 * (bad URL or key); otherwise the sink is reconnected, until the stream has been down for {@link #IDLE_TIMEOUT}.</li>
 * <li>Retry updates to livekit-server go out at most once per {@link #RETRY_REPORT_INTERVAL}.</li>
 * </ul>
 * Thread-safe.
 */
public final class StreamHealth {

    public static final Duration POLL = Duration.ofSeconds(5);
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final long PROGRESS_BYTES = 4 * 1024;
    public static final Duration RETRY_REPORT_INTERVAL = Duration.ofMinutes(1);

    /** What one liveness poll concluded. */
    public enum Liveness {
        /** Nothing to do. */
        NONE,
        /** Bytes are flowing: the stream is healthy (and any disconnection is over). */
        PROGRESS,
        /** No progress for {@link #IDLE_TIMEOUT}: fail the stream. */
        WEDGED
    }

    private final Clock clock;
    private long lastBytes;
    private Instant lastProgressAt;
    private boolean observedProgress;
    private boolean wedged;
    private int reconnections;
    private Instant disconnectedAt;
    private Instant lastRetryReport;

    public StreamHealth(Clock clock) {
        this.clock = clock;
        this.lastProgressAt = clock.instant();
    }

    /**
     * One poll of the sink's total outbound byte counter.
     *
     * @param outBytesTotal bytes written so far by the current sink (0 before it connected)
     */
    public synchronized Liveness poll(long outBytesTotal) {
        if (wedged) {
            return Liveness.NONE;
        }
        long last = lastBytes;
        lastBytes = outBytesTotal;
        Instant now = clock.instant();
        if (outBytesTotal - last > PROGRESS_BYTES) {
            lastProgressAt = now;
            observedProgress = true;
            reconnections = 0;
            disconnectedAt = null;
            return Liveness.PROGRESS;
        }
        if (outBytesTotal == 0 && !observedProgress) {
            // not connected yet: startup failures are the error path's to judge. (Once the stream made progress, a
            // replacement sink that hangs connecting without ever failing is caught here too, unlike upstream.)
            return Liveness.NONE;
        }
        if (Duration.between(lastProgressAt, now).compareTo(IDLE_TIMEOUT) > 0) {
            wedged = true;
            return Liveness.WEDGED;
        }
        return Liveness.NONE;
    }

    /**
     * The sink reported an error: whether to reconnect it (true) or fail the stream (false).
     *
     * @param outBytesAcked bytes the server acknowledged on the failed connection
     */
    public synchronized boolean shouldReconnect(long outBytesAcked) {
        if (wedged) {
            return false;
        }
        if (reconnections == 0 && outBytesAcked == 0 && !observedProgress) {
            return false;
        }
        Instant now = clock.instant();
        // stricter than upstream: a stream that has sent nothing for the idle timeout is not revived either (a
        // receiver that wedged and then refused reconnections would otherwise get another 30 s)
        if (observedProgress && Duration.between(lastProgressAt, now).compareTo(IDLE_TIMEOUT) > 0) {
            return false;
        }
        if (disconnectedAt == null) {
            disconnectedAt = now;
        } else if (Duration.between(disconnectedAt, now).compareTo(IDLE_TIMEOUT) > 0) {
            return false;
        }
        reconnections++;
        // the replacement sink counts its bytes from zero
        lastBytes = 0;
        return true;
    }

    /** Whether a retry should be reported now (at most once a minute per stream). */
    public synchronized boolean shouldReportRetry() {
        Instant now = clock.instant();
        if (lastRetryReport == null || Duration.between(lastRetryReport, now).compareTo(RETRY_REPORT_INTERVAL) >= 0) {
            lastRetryReport = now;
            return true;
        }
        return false;
    }

    public synchronized int reconnections() {
        return reconnections;
    }

    /** The error text of a wedged stream. */
    public static String wedgedMessage() {
        return "no outbound progress for " + IDLE_TIMEOUT.toSeconds() + "s";
    }
}
