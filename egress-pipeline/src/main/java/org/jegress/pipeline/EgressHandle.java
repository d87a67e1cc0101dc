package org.jegress.pipeline;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.status.EndReason;

/** A running (or finished) egress. Thread-safe. */
public interface EgressHandle {

    String egressId();

    /** What the request resolved to. */
    EgressPlan plan();

    /** The latest EgressInfo. */
    EgressInfo info();

    /**
     * Receives every published EgressInfo (ACTIVE, ENDING, the final state), in order, on the egress's own thread.
     * A listener added after the egress finished is called once with the final state.
     */
    void addListener(Consumer<EgressInfo> listener);

    /** Stops as {@code StopEgress} does: the returned info is ENDING (or ABORTED if it never started). */
    default EgressInfo stop() {
        return stop(EndReason.API);
    }

    /** Stops with a given end reason (e.g. {@link EndReason#KILLED} on SIGINT). Idempotent. */
    EgressInfo stop(EndReason reason);

    /**
     * Adds and removes stream destinations while the egress runs ({@code UpdateStream}). Added URLs must use the
     * stream output's protocol; removed ones may be given as requested or as reported (redacted).
     *
     * @return the EgressInfo with the new stream results
     * @throws org.jegress.api.error.EgressException "UpdateStream called on non-streaming egress", "stream X not
     *         found", invalid URLs (every error, one per line; the changes that worked are kept)
     */
    EgressInfo updateStream(java.util.List<String> addUrls, java.util.List<String> removeUrls);

    /** Blocks until the egress reached a final state and every output is finalised. */
    EgressInfo awaitCompletion() throws InterruptedException;

    /** As {@link #awaitCompletion()}, giving up after {@code timeout}. */
    Optional<EgressInfo> awaitCompletion(Duration timeout) throws InterruptedException;

    /** Bytes written to local outputs so far. */
    long bytesWritten();

    /** Graphviz DOT of the running pipeline; empty when no pipeline is running. */
    String pipelineDot();
}
