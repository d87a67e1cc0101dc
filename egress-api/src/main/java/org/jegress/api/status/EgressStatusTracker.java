package org.jegress.api.status;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;

/**
 * Owns one egress's {@link EgressInfo} and applies the upstream transitions
 * (STARTING → ACTIVE → ENDING → COMPLETE | FAILED | ABORTED | LIMIT_REACHED) with the fields each one sets.
 * Thread-safe; listeners receive an immutable snapshot after every published change, in order.
 */
public final class EgressStatusTracker {

    public static final String MSG_LIMIT_REACHED = "Session limit reached";
    public static final String MSG_START_NOT_RECEIVED = "Start signal not received";
    public static final String MSG_LIMIT_REACHED_WITHOUT_START = "Session limit reached before start signal";
    public static final String MSG_STOPPED_BEFORE_STARTED = "Stop called before pipeline could start";

    private final Clock clock;
    private final List<Consumer<EgressInfo>> listeners = new CopyOnWriteArrayList<>();
    /** Serialises publishing so listeners never see an older snapshot after a newer one. */
    private final Object publishLock = new Object();
    private EgressInfo.Builder info;

    public EgressStatusTracker(EgressInfo initial, Clock clock) {
        this.info = initial.toBuilder();
        this.clock = clock;
    }

    /** Registers a listener for published snapshots. */
    public void addListener(Consumer<EgressInfo> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<EgressInfo> listener) {
        listeners.remove(listener);
    }

    public synchronized EgressInfo snapshot() {
        return info.build();
    }

    public synchronized EgressStatus status() {
        return info.getStatus();
    }

    public synchronized boolean isTerminal() {
        return isTerminal(info.getStatus());
    }

    /** COMPLETE, FAILED, ABORTED and LIMIT_REACHED: livekit-server's "not active" set ({@code status >= 3}). */
    public static boolean isTerminal(EgressStatus s) {
        return s.getNumber() >= EgressStatus.EGRESS_COMPLETE_VALUE;
    }

    /** Pipeline is playing (and the start signal, if any, arrived): STARTING → ACTIVE, published. */
    public boolean active() {
        synchronized (this) {
            if (info.getStatus() != EgressStatus.EGRESS_STARTING) {
                return false;
            }
            info.setStatus(EgressStatus.EGRESS_ACTIVE).setUpdatedAt(nowNs());
        }
        publish();
        return true;
    }

    /** Records why the egress ends; does not publish by itself. */
    public synchronized void endReason(EndReason reason) {
        info.setDetails(reason.details());
    }

    /** ACTIVE → ENDING (an EOS was requested), published. */
    public boolean ending() {
        synchronized (this) {
            if (info.getStatus() != EgressStatus.EGRESS_ACTIVE) {
                return false;
            }
            info.setStatus(EgressStatus.EGRESS_ENDING).setUpdatedAt(nowNs());
        }
        publish();
        return true;
    }

    /** Finished without error. Not published: callers publish once results are final. */
    public synchronized void complete() {
        long now = nowNs();
        info.setStatus(EgressStatus.EGRESS_COMPLETE).setUpdatedAt(now).setEndedAt(now);
    }

    /**
     * Failure: error text, error_code from the psrpc code (left unchanged for unknown errors), details
     * "End reason: Failure" unless a reason was already recorded. Not published.
     */
    public synchronized void failed(Throwable error) {
        long now = nowNs();
        info.setStatus(EgressStatus.EGRESS_FAILED).setUpdatedAt(now).setEndedAt(now);
        info.setError(error.getMessage() == null ? error.toString() : error.getMessage());
        if (info.getDetails().isEmpty()) {
            info.setDetails(EndReason.FAILURE.details());
        }
        if (error instanceof EgressException) {
            ErrorCode code = ((EgressException) error).code();
            if (code != ErrorCode.UNKNOWN) {
                info.setErrorCode(code.httpStatus());
            }
        }
    }

    /** Failure reported for a process that died: error_code 500 whatever the error. Not published. */
    public synchronized void crashed(String error) {
        failed(new EgressException(ErrorCode.INTERNAL, error));
    }

    /** Never started: ABORTED with code 412 and one of the MSG_* texts. Not published. */
    public synchronized void aborted(String message) {
        long now = nowNs();
        info.setStatus(EgressStatus.EGRESS_ABORTED).setUpdatedAt(now).setEndedAt(now)
                .setError(message).setErrorCode(412);
    }

    /** Session limit hit while active: LIMIT_REACHED with code 413; outputs are still finalised. Not published. */
    public synchronized void limitReached() {
        long now = nowNs();
        info.setStatus(EgressStatus.EGRESS_LIMIT_REACHED).setUpdatedAt(now).setEndedAt(now)
                .setError(MSG_LIMIT_REACHED).setErrorCode(413);
    }

    /** Arbitrary field updates (results, timestamps) under the lock; not published. */
    public synchronized void update(UnaryOperator<EgressInfo.Builder> change) {
        info = change.apply(info);
    }

    /** Sends the current snapshot to every listener. */
    public void publish() {
        synchronized (publishLock) {
            EgressInfo snapshot = snapshot();
            for (Consumer<EgressInfo> l : listeners) {
                l.accept(snapshot);
            }
        }
    }

    public long nowNs() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
