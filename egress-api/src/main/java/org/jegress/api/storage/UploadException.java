package org.jegress.api.storage;

import java.io.IOException;

/**
 * An upload that failed, with the HTTP status the storage answered when it answered at all. The status sorts the
 * failure the way upstream's metrics do: 4xx is the destination's doing (credentials, bucket, policy), 5xx the
 * storage's, anything else ({@code 0}: no answer, I/O, DNS) internal.
 */
public class UploadException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public UploadException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when the storage did not answer. */
    public int status() {
        return status;
    }

    /** The {@code status} label of {@code livekit_egress_pipeline_uploads}: "4xx", "5xx" or "internal". */
    public static String statusLabel(Throwable t) {
        int s = t instanceof UploadException u ? u.status : 0;
        if (s >= 400 && s < 500) {
            return "4xx";
        }
        if (s >= 500 && s < 600) {
            return "5xx";
        }
        return "internal";
    }
}
