package org.jegress.api.error;

/**
 * "&lt;feature&gt; is not yet supported": a request this build cannot run (a source, output or uploader missing
 * from the class path, a request type not implemented). A worker does not bid for such a request, so that another
 * worker on the same bus (a Go egress, a fuller build) takes it.
 */
public final class NotSupportedException extends EgressException {
    private static final long serialVersionUID = 1L;

    public NotSupportedException(String feature) {
        super(ErrorCode.INVALID_ARGUMENT, feature + " is not yet supported");
    }
}
