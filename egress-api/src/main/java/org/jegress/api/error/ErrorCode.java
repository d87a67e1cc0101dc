package org.jegress.api.error;

/**
 * psrpc error codes: the wire string carried in {@code Response.code} and the HTTP status that
 * {@code EgressInfo.error_code} reports for it (psrpc {@code ErrorCode.ToHTTP}).
 */
public enum ErrorCode {
    OK("", 200),
    CANCELED("canceled", 503),
    MALFORMED_REQUEST("malformed_request", 400),
    MALFORMED_RESULT("malformed_result", 500),
    DEADLINE_EXCEEDED("deadline_exceeded", 503),
    UNAVAILABLE("unavailable", 503),
    UNKNOWN("unknown", 500),
    INVALID_ARGUMENT("invalid_argument", 400),
    NOT_FOUND("not_found", 404),
    NOT_ACCEPTABLE("not_acceptable", 406),
    ALREADY_EXISTS("already_exists", 409),
    PERMISSION_DENIED("permission_denied", 403),
    RESOURCE_EXHAUSTED("resource_exhausted", 429),
    FAILED_PRECONDITION("failed_precondition", 412),
    ABORTED("aborted", 409),
    OUT_OF_RANGE("out_of_range", 416),
    UNIMPLEMENTED("unimplemented", 501),
    INTERNAL("internal", 500),
    DATA_LOSS("data_loss", 500),
    UNAUTHENTICATED("unauthenticated", 401),
    UNPROCESSABLE_ENTITY("unprocessable_entity", 422),
    UPSTREAM_SERVER_ERROR("upstream_server_error", 502),
    UPSTREAM_CLIENT_ERROR("upstream_client_error", 424);

    private final String wire;
    private final int http;

    ErrorCode(String wire, int http) {
        this.wire = wire;
        this.http = http;
    }

    /** The string psrpc puts in {@code Response.code}. */
    public String wire() {
        return wire;
    }

    /** The HTTP status psrpc maps this code to. */
    public int httpStatus() {
        return http;
    }

    /** Parses a wire code; an empty or unrecognised code is {@link #UNKNOWN}, as psrpc clients treat it. */
    public static ErrorCode fromWire(String wire) {
        for (ErrorCode c : values()) {
            if (c != OK && c.wire.equals(wire)) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
