package org.jegress.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/** The catalogue of upstream {@code pkg/errors/errors.go}: exact message and psrpc code of each error. */
class EgressExceptionTest {

    private static void assertError(EgressException e, ErrorCode code, String message) {
        assertThat(e).hasMessage(message);
        assertThat(e.code()).isEqualTo(code);
    }

    @Test
    void validationErrors() {
        assertError(EgressException.invalidInput("web url"), ErrorCode.INVALID_ARGUMENT,
                "request has missing or invalid field: web url");
        assertError(EgressException.invalidUrl("rtmp://x", "invalid protocol"), ErrorCode.INVALID_ARGUMENT,
                "invalid url rtmp://x: invalid protocol");
        assertError(EgressException.notSupported("stream output"), ErrorCode.INVALID_ARGUMENT,
                "stream output is not yet supported");
        assertError(EgressException.incompatible("audio/mpeg", "video/h264"), ErrorCode.INVALID_ARGUMENT,
                "format audio/mpeg incompatible with codec video/h264");
        assertError(EgressException.noCompatibleCodec(), ErrorCode.INVALID_ARGUMENT,
                "no supported codec is compatible with all outputs");
        assertError(EgressException.noCompatibleFileOutputType(), ErrorCode.INVALID_ARGUMENT,
                "no supported file output type is compatible with the selected codecs");
        assertError(EgressException.nonRetryableOutput(), ErrorCode.FAILED_PRECONDITION,
                "output configuration does not support retry");
        assertError(EgressException.nonStreamingPipeline(), ErrorCode.INVALID_ARGUMENT,
                "UpdateStream called on non-streaming egress");
    }

    @Test
    void pageAndTemplateErrors() {
        assertError(EgressException.pageLoadError("page load error net::ERR_NAME_NOT_RESOLVED"),
                ErrorCode.INVALID_ARGUMENT, "page load error: net::ERR_NAME_NOT_RESOLVED");
        assertError(EgressException.pageLoadError("404 Not Found"), ErrorCode.INVALID_ARGUMENT,
                "page load error: 404 Not Found");
        assertError(EgressException.templateError("room not found"), ErrorCode.INVALID_ARGUMENT,
                "template error: room not found");
    }

    @Test
    void runtimeErrors() {
        assertError(EgressException.pipelineFrozen(), ErrorCode.INTERNAL, "pipeline frozen");
        assertError(EgressException.processFailed("chrome", "exit status 1"), ErrorCode.INTERNAL,
                "failed to launch chrome: exit status 1");
        assertError(EgressException.alreadyExists(), ErrorCode.ALREADY_EXISTS, "egress already exists");
        assertError(EgressException.notEnoughCpu(), ErrorCode.UNAVAILABLE, "not enough CPU");
        assertError(EgressException.shuttingDown(), ErrorCode.UNAVAILABLE, "server is shutting down");
    }

    @Test
    void uploadFailedKeepsTheCause() {
        IOException cause = new IOException("AccessDenied: no write access");
        EgressException e = EgressException.uploadFailed("s3", cause);
        assertError(e, ErrorCode.INVALID_ARGUMENT, "s3 upload failed: AccessDenied: no write access");
        assertThat(e).hasCause(cause);
    }

    @Test
    void internalKeepsTheCause() {
        RuntimeException cause = new RuntimeException("x");
        EgressException e = EgressException.internal("wrapped", cause);
        assertError(e, ErrorCode.INTERNAL, "wrapped");
        assertThat(e.getCause()).isSameAs(cause);
    }

    @Test
    void constructors() {
        EgressException e = new EgressException(ErrorCode.NOT_FOUND, "participant david not found");
        assertError(e, ErrorCode.NOT_FOUND, "participant david not found");
        assertThat(e.getCause()).isNull();
        assertThat(e).isInstanceOf(RuntimeException.class);
    }
}
