package org.jegress.api.admission;

import java.util.Locale;
import java.util.Objects;

import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;

/**
 * What the overload policy wants done to one egress, returned by {@link Admission#evaluateOverload(double)}.
 *
 * @param kind     {@link Kind#STOP} (graceful: EOS, the output is finalised) or {@link Kind#KILL} (hard kill)
 * @param egressId the egress to act on
 * @param result   the handler result to record when that egress's process ends ({@code stopped_cpu},
 *                 {@code killed_cpu} or {@code killed_oom})
 * @param error    for {@link Kind#KILL}, the error the egress ends with ({@code permission_denied},
 *                 "CPU exhausted: 3.20 cores used" or "OOM: 7.50 GB used", as upstream); {@code null} for a stop
 */
public record OverloadAction(Kind kind, String egressId, HandlerResult result, EgressException error) {

    /** Graceful stop or hard kill. */
    public enum Kind {
        /** Stop the egress gracefully, as a StopEgress would (upstream ends it with reason "CPU exhausted"). */
        STOP,
        /** Kill the handler process. */
        KILL
    }

    public OverloadAction {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(egressId, "egressId");
        Objects.requireNonNull(result, "result");
    }

    static OverloadAction stopForCpu(String egressId) {
        return new OverloadAction(Kind.STOP, egressId, HandlerResult.STOPPED_CPU, null);
    }

    static OverloadAction killForCpu(String egressId, double coresUsed) {
        return new OverloadAction(Kind.KILL, egressId, HandlerResult.KILLED_CPU, new EgressException(
                ErrorCode.PERMISSION_DENIED, String.format(Locale.ROOT, "CPU exhausted: %.2f cores used", coresUsed)));
    }

    static OverloadAction killForMemory(String egressId, double gbUsed) {
        return new OverloadAction(Kind.KILL, egressId, HandlerResult.KILLED_OOM, new EgressException(
                ErrorCode.PERMISSION_DENIED, String.format(Locale.ROOT, "OOM: %.2f GB used", gbUsed)));
    }
}
