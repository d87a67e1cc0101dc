package org.jegress.server.psrpc;

import com.google.protobuf.Any;
import java.util.List;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.server.psrpc.wire.Response;

/**
 * A failed RPC as the client sees it: the {@code code} and {@code error} of a Response (psrpc-wire.md §1.11),
 * or one of psrpc's own client-side failures. Handlers may throw any {@link EgressException}; its code and
 * message travel unchanged, and this subclass also carries {@code error_details}.
 */
public class PsrpcException extends EgressException {
    private static final long serialVersionUID = 1L;

    /** The error_details of the Response (gRPC-style {@code Any}s), possibly empty. */
    private final transient List<Any> details;

    public PsrpcException(ErrorCode code, String message) {
        this(code, message, List.of());
    }

    public PsrpcException(ErrorCode code, String message, List<Any> details) {
        super(code, message);
        this.details = List.copyOf(details);
    }

    /** Optional error details, as sent in {@code Response.error_details}. */
    public List<Any> details() {
        return details;
    }

    /** The failure a Response with a non-empty {@code error} stands for; an empty or unknown code is unknown. */
    public static PsrpcException fromResponse(Response response) {
        return new PsrpcException(ErrorCode.fromWire(response.getCode()), response.getError(),
                response.getErrorDetailsList());
    }

    /** No server claimed the request before selection ended (psrpc {@code ErrNoResponse}). */
    public static PsrpcException noResponse() {
        return new PsrpcException(ErrorCode.UNAVAILABLE, "no response from servers");
    }

    /** Claims arrived, but none was acceptable. */
    public static PsrpcException noServersAvailable(int claims) {
        return new PsrpcException(ErrorCode.UNAVAILABLE, "no servers available (received " + claims + " responses)");
    }

    /** The request timeout passed without a response (psrpc {@code ErrRequestTimedOut}). */
    public static PsrpcException requestTimedOut() {
        return new PsrpcException(ErrorCode.DEADLINE_EXCEEDED, "request timed out");
    }

    /** The caller gave up (interrupt). */
    public static PsrpcException requestCanceled() {
        return new PsrpcException(ErrorCode.CANCELED, "request canceled");
    }

    /** The client was closed while the call was in progress. */
    public static PsrpcException clientClosed() {
        return new PsrpcException(ErrorCode.CANCELED, "client is closed");
    }
}
