package org.jegress.server.psrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import java.util.HexFormat;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.StopEgressRequest;
import org.jegress.server.psrpc.wire.ClaimRequest;
import org.jegress.server.psrpc.wire.ClaimResponse;
import org.jegress.server.psrpc.wire.Msg;
import org.jegress.server.psrpc.wire.Request;
import org.jegress.server.psrpc.wire.Response;
import org.junit.jupiter.api.Test;

/** The worked byte examples of psrpc-wire.md §1.14. */
class EnvelopeTest {
    private static final HexFormat HEX = HexFormat.of();

    private static final String REQ = "REQ_AAAAAAAAAAAA";
    private static final String SRV = "SRV_BBBBBBBBBBBB";
    private static final String CLI = "CLI_CCCCCCCCCCCC";

    private static final String CLAIM_RESPONSE_HEX =
            "0a105245515f414141414141414141414141" + "12105352565f424242424242424242424242";

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    private static Request goldenRequest() {
        return Request.newBuilder()
                .setRequestId(REQ)
                .setClientId(CLI)
                .setSentAt(1_700_000_000_000_000_000L)
                .setExpiry(1_700_000_003_000_000_000L)
                .setRawRequest(StopEgressRequest.newBuilder().setEgressId("EG_abcdefghijkl").build().toByteString())
                .build();
    }

    @Test
    void claimResponse() {
        ClaimResponse msg = ClaimResponse.newBuilder().setRequestId(REQ).setServerId(SRV).build();
        assertThat(msg.toByteArray()).isEqualTo(hex(CLAIM_RESPONSE_HEX));
    }

    @Test
    void claimResponseEnvelope() {
        ClaimResponse msg = ClaimResponse.newBuilder().setRequestId(REQ).setServerId(SRV).build();
        String expected = "0a2a"
                + "747970652e676f6f676c65617069732e636f6d2f696e7465726e616c2e436c61696d526573706f6e7365"
                + "1224" + CLAIM_RESPONSE_HEX;
        byte[] envelope = Envelope.encode(msg);
        assertThat(envelope).isEqualTo(hex(expected));
        assertThat(Envelope.decode(envelope)).contains(msg);
    }

    @Test
    void envelopeIsAnAny() throws Exception {
        ClaimResponse msg = ClaimResponse.newBuilder().setRequestId(REQ).setServerId(SRV).build();
        byte[] envelope = Envelope.encode(msg);
        assertThat(envelope).isEqualTo(Any.pack(msg).toByteArray());
        assertThat(Any.parseFrom(envelope).unpack(ClaimResponse.class)).isEqualTo(msg);
    }

    @Test
    void claimRequestAffinityIsFixed32() {
        ClaimRequest msg = ClaimRequest.newBuilder().setRequestId(REQ).setServerId(SRV).setAffinity(0.5f).build();
        assertThat(HEX.formatHex(msg.toByteArray())).isEqualTo(CLAIM_RESPONSE_HEX + "1d0000003f");
    }

    @Test
    void request() {
        String expected = "0a10 5245515f414141414141414141414141 1210 434c495f434343434343434343434343"
                + " 18 8080a8b1e39fe7cb17 20 80bce9c7ee9fe7cb17 4211 0a0f45475f6162636465666768696a6b6c";
        assertThat(goldenRequest().toByteArray()).isEqualTo(hex(expected));
    }

    @Test
    void queueLockKeyOfTheRequestEnvelope() throws Exception {
        byte[] envelope = Envelope.encode(goldenRequest());
        assertThat(Msg.parseFrom(envelope).getTypeUrl()).isEqualTo("type.googleapis.com/internal.Request");
        assertThat(Envelope.queueLockKey(envelope)).isEqualTo("NMpvl1pNzB7TCehtbraKKA5JrXiYtDxlDve0DHTwOxU=");
    }

    @Test
    void errorResponseEndsWithErrorAndCode() {
        Response res = PsrpcServer.failure(EgressException.notEnoughCpu())
                .setRequestId(REQ).setServerId(SRV).setSentAt(1_700_000_000_000_000_000L).build();
        String tail = "2a0e" + HEX.formatHex("not enough CPU".getBytes()) + "320b" + HEX.formatHex("unavailable".getBytes());
        assertThat(HEX.formatHex(res.toByteArray())).endsWith(tail);
        PsrpcException back = PsrpcException.fromResponse(res);
        assertThat(back.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(back.getMessage()).isEqualTo("not enough CPU");
    }

    @Test
    void nonPsrpcErrorsAreUnknownAndEmptyCodeReadsAsUnknown() {
        Response res = PsrpcServer.failure(new IllegalStateException("boom")).build();
        assertThat(res.getError()).isEqualTo("boom");
        assertThat(res.getCode()).isEqualTo("unknown");
        assertThat(PsrpcException.fromResponse(Response.newBuilder().setError("x").build()).code())
                .isEqualTo(ErrorCode.UNKNOWN);
    }

    @Test
    void emptyMessagesEncodeToNothing() {
        Response res = Response.newBuilder().setRequestId(REQ).setRawResponse(Empty.getDefaultInstance().toByteString())
                .build();
        assertThat(res.toByteArray()).isEqualTo(hex("0a105245515f414141414141414141414141"));
    }

    @Test
    void unknownOrGarbagePayloadsAreDropped() {
        byte[] user = Any.pack(StopEgressRequest.newBuilder().setEgressId("x").build()).toByteArray();
        assertThat(Envelope.decode(user)).isEmpty();
        assertThat(Envelope.decode(new byte[] {(byte) 0xff, 0x01})).isEmpty();
        byte[] withChannel = Msg.newBuilder().setTypeUrl("type.googleapis.com/internal.ClaimResponse")
                .setValue(ByteString.copyFrom(hex(CLAIM_RESPONSE_HEX))).setChannel("ignored").build().toByteArray();
        assertThat(Envelope.decode(withChannel)).get().isInstanceOf(ClaimResponse.class);
    }
}
