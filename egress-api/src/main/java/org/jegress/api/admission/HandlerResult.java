package org.jegress.api.admission;

/**
 * How a handler process ended: the {@code result} label of {@code livekit_egress_handler_results_total}, with
 * upstream's spellings.
 */
public enum HandlerResult {
    /** The process exited normally. */
    COMPLETED("completed"),
    /** The request was accepted but the egress was aborted (e.g. it never started). */
    ABORTED("aborted"),
    /** Gracefully stopped (EOS) because the node's CPU was exhausted. */
    STOPPED_CPU("stopped_cpu"),
    /** Hard-killed because a CPU-overload stop did not finish within {@code cpu_kill_grace_sec}. */
    KILLED_CPU("killed_cpu"),
    /** Hard-killed because the node was over {@code max_memory} for {@code memory_kill_grace_sec}. */
    KILLED_OOM("killed_oom"),
    /** Killed because the worker was shutting down with kill (SIGINT). */
    KILLED_SHUTDOWN("killed_shutdown"),
    /** The process exited with an error or a signal nobody asked for. */
    PROCESS_ERROR("process_error"),
    /** The handler left silently because another egress took over its participant identity. */
    DUPLICATE_IDENTITY("duplicate_identity");

    private final String label;

    HandlerResult(String label) {
        this.label = label;
    }

    /** The metric label value. */
    public String label() {
        return label;
    }
}
