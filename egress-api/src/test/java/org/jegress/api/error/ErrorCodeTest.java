package org.jegress.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** psrpc error codes: wire strings and {@code ErrorCode.ToHTTP}. */
class ErrorCodeTest {

    @Test
    void wireStringsAndHttpStatuses() {
        Object[][] table = {
            {ErrorCode.OK, "", 200},
            {ErrorCode.CANCELED, "canceled", 503},
            {ErrorCode.MALFORMED_REQUEST, "malformed_request", 400},
            {ErrorCode.MALFORMED_RESULT, "malformed_result", 500},
            {ErrorCode.DEADLINE_EXCEEDED, "deadline_exceeded", 503},
            {ErrorCode.UNAVAILABLE, "unavailable", 503},
            {ErrorCode.UNKNOWN, "unknown", 500},
            {ErrorCode.INVALID_ARGUMENT, "invalid_argument", 400},
            {ErrorCode.NOT_FOUND, "not_found", 404},
            {ErrorCode.NOT_ACCEPTABLE, "not_acceptable", 406},
            {ErrorCode.ALREADY_EXISTS, "already_exists", 409},
            {ErrorCode.PERMISSION_DENIED, "permission_denied", 403},
            {ErrorCode.RESOURCE_EXHAUSTED, "resource_exhausted", 429},
            {ErrorCode.FAILED_PRECONDITION, "failed_precondition", 412},
            {ErrorCode.ABORTED, "aborted", 409},
            {ErrorCode.OUT_OF_RANGE, "out_of_range", 416},
            {ErrorCode.UNIMPLEMENTED, "unimplemented", 501},
            {ErrorCode.INTERNAL, "internal", 500},
            {ErrorCode.DATA_LOSS, "data_loss", 500},
            {ErrorCode.UNAUTHENTICATED, "unauthenticated", 401},
            {ErrorCode.UNPROCESSABLE_ENTITY, "unprocessable_entity", 422},
            {ErrorCode.UPSTREAM_SERVER_ERROR, "upstream_server_error", 502},
            {ErrorCode.UPSTREAM_CLIENT_ERROR, "upstream_client_error", 424},
        };
        assertThat(table.length).isEqualTo(ErrorCode.values().length);
        for (Object[] row : table) {
            ErrorCode c = (ErrorCode) row[0];
            assertThat(c.wire()).as(c.name()).isEqualTo(row[1]);
            assertThat(c.httpStatus()).as(c.name()).isEqualTo(row[2]);
        }
    }

    @Test
    void fromWireRoundTrips() {
        Arrays.stream(ErrorCode.values()).filter(c -> c != ErrorCode.OK)
                .forEach(c -> assertThat(ErrorCode.fromWire(c.wire())).isEqualTo(c));
    }

    @Test
    void emptyOrUnknownWireCodeIsUnknown() {
        // psrpc NewErrorFromResponse: an empty code with an error is "unknown"
        assertThat(ErrorCode.fromWire("")).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(ErrorCode.fromWire("teapot")).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(ErrorCode.fromWire("INVALID_ARGUMENT")).isEqualTo(ErrorCode.UNKNOWN);
    }
}
