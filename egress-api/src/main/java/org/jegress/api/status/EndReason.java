package org.jegress.api.status;

/** Why an egress ended; rendered into {@code details} as "End reason: &lt;text&gt;". */
public enum EndReason {
    API("StopEgress API"),
    KILLED("Process killed"),
    SOURCE_CLOSED("Source closed"),
    LIMIT_REACHED("Session limit reached"),
    STREAMS_STOPPED("All streams stopped"),
    CPU_EXHAUSTED("CPU exhausted"),
    FAILURE("Failure");

    private final String text;

    EndReason(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public String details() {
        return "End reason: " + text;
    }
}
