package org.jegress.api.error;

/**
 * A failure with a psrpc {@link ErrorCode} and a message worded exactly as the Go egress words it.
 * The factory methods are the catalogue of upstream messages; prefer them to ad-hoc text.
 */
public class EgressException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public EgressException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public EgressException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** "request has missing or invalid field: &lt;field&gt;" (invalid_argument). */
    public static EgressException invalidInput(String field) {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, "request has missing or invalid field: " + field);
    }

    /** "invalid url &lt;url&gt;: &lt;reason&gt;" (invalid_argument). */
    public static EgressException invalidUrl(String url, String reason) {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, "invalid url " + url + ": " + reason);
    }

    /** "&lt;feature&gt; is not yet supported" (invalid_argument). */
    public static NotSupportedException notSupported(String feature) {
        return new NotSupportedException(feature);
    }

    /** "format &lt;format&gt; incompatible with codec &lt;codec&gt;" (invalid_argument). */
    public static EgressException incompatible(String format, String codec) {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, "format " + format + " incompatible with codec " + codec);
    }

    public static EgressException noCompatibleCodec() {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, "no supported codec is compatible with all outputs");
    }

    public static EgressException noCompatibleFileOutputType() {
        return new EgressException(ErrorCode.INVALID_ARGUMENT,
                "no supported file output type is compatible with the selected codecs");
    }

    public static EgressException nonRetryableOutput() {
        return new EgressException(ErrorCode.FAILED_PRECONDITION, "output configuration does not support retry");
    }

    /** "page load error: &lt;status text&gt;" (invalid_argument). */
    public static EgressException pageLoadError(String detail) {
        String d = detail.startsWith("page load error ") ? detail.substring("page load error ".length()) : detail;
        return new EgressException(ErrorCode.INVALID_ARGUMENT, "page load error: " + d);
    }

    /** "template error: &lt;text of div.error&gt;" (invalid_argument). */
    public static EgressException templateError(String detail) {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, "template error: " + detail);
    }

    public static EgressException pipelineFrozen() {
        return new EgressException(ErrorCode.INTERNAL, "pipeline frozen");
    }

    public static EgressException internal(String message, Throwable cause) {
        return new EgressException(ErrorCode.INTERNAL, message, cause);
    }

    /** "failed to launch &lt;process&gt;: &lt;reason&gt;" (internal). */
    public static EgressException processFailed(String process, String reason) {
        return new EgressException(ErrorCode.INTERNAL, "failed to launch " + process + ": " + reason);
    }

    /** "&lt;location&gt; upload failed: &lt;reason&gt;" (invalid_argument, as upstream). */
    public static EgressException uploadFailed(String location, Throwable cause) {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, uploadFailedMessage(location, cause), cause);
    }

    /** The text of {@link #uploadFailed(String, Throwable)}, for failures that are reported further up. */
    public static String uploadFailedMessage(String location, Throwable cause) {
        return location + " upload failed: " + cause.getMessage();
    }

    /**
     * A failed store whose message is already complete (the pipeline's storage layer words it: "S3 upload failed:
     * …", or upstream's "primary: …\nbackup: …" when the backup failed too).
     */
    public static EgressException uploadFailed(java.io.IOException storeFailure) {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, storeFailure.getMessage(), storeFailure);
    }

    public static EgressException alreadyExists() {
        return new EgressException(ErrorCode.ALREADY_EXISTS, "egress already exists");
    }

    public static EgressException notEnoughCpu() {
        return new EgressException(ErrorCode.UNAVAILABLE, "not enough CPU");
    }

    public static EgressException shuttingDown() {
        return new EgressException(ErrorCode.UNAVAILABLE, "server is shutting down");
    }

    /** "participant &lt;identity&gt; not found" (not_found): it did not join within 30 s. */
    public static EgressException participantNotFound(String identity) {
        return new EgressException(ErrorCode.NOT_FOUND, "participant " + identity + " not found");
    }

    /** "track &lt;id&gt; not found" (not_found): it was not published within 30 s. */
    public static EgressException trackNotFound(String trackId) {
        return new EgressException(ErrorCode.NOT_FOUND, "track " + trackId + " not found");
    }

    /** "failed to subscribe to track" (unavailable). */
    public static EgressException subscriptionFailed(Throwable cause) {
        return new EgressException(ErrorCode.UNAVAILABLE, "failed to subscribe to track", cause);
    }

    /** "recording ended early: connection to room failed" (unavailable): what was recorded is still kept. */
    public static EgressException roomConnectionFailed() {
        return new EgressException(ErrorCode.UNAVAILABLE, "recording ended early: connection to room failed");
    }

    public static EgressException nonStreamingPipeline() {
        return new EgressException(ErrorCode.INVALID_ARGUMENT, "UpdateStream called on non-streaming egress");
    }

    /** "stream &lt;url&gt; not found" (not_found): UpdateStream named a URL the egress does not stream to. */
    public static EgressException streamNotFound(String url) {
        return new EgressException(ErrorCode.NOT_FOUND, "stream " + url + " not found");
    }

    /** "&lt;sink&gt; upload queue full (&lt;n&gt; pending): storage cannot keep up" (internal). */
    public static EgressException uploadQueueFull(String sink, int pending) {
        return new EgressException(ErrorCode.INTERNAL,
                sink + " upload queue full (" + pending + " pending): storage cannot keep up");
    }

    /** "&lt;feature&gt; is disabled for this account" (permission_denied). */
    public static EgressException featureDisabled(String feature) {
        return new EgressException(ErrorCode.PERMISSION_DENIED, feature + " is disabled for this account");
    }

    /**
     * The error of an egress whose last output failed (a stream destination refused it, say): unavailable, as
     * upstream marks destination errors.
     */
    public static EgressException destination(String message) {
        return new EgressException(ErrorCode.UNAVAILABLE, message);
    }
}
