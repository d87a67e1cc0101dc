package org.jegress.server.psrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.jegress.server.psrpc.wire.ClaimRequest;
import org.jegress.server.psrpc.wire.ClaimResponse;
import org.jegress.server.psrpc.wire.Msg;
import org.jegress.server.psrpc.wire.Request;
import org.jegress.server.psrpc.wire.Response;
import org.jegress.server.psrpc.wire.Stream;

/**
 * The bytes of one Redis message: {@code internal.Msg{type_url, value}}, which parses as a
 * {@code google.protobuf.Any} (psrpc-wire.md §1.2), plus the queue lock key derived from them (§1.9).
 */
public final class Envelope {
    /** Prefix of every type_url psrpc writes. */
    public static final String TYPE_URL_PREFIX = "type.googleapis.com/";

    private Envelope() {
    }

    /** Wraps a psrpc internal message (Request, Response, ClaimRequest, ClaimResponse, Stream) for PUBLISH. */
    public static byte[] encode(Message inner) {
        return Msg.newBuilder()
                .setTypeUrl(TYPE_URL_PREFIX + inner.getDescriptorForType().getFullName())
                .setValue(inner.toByteString())
                .build()
                .toByteArray();
    }

    /**
     * Unwraps a payload into one of the five internal messages. Empty for undecodable bytes or a type_url this
     * side does not handle (e.g. subscription RPCs' user messages): Go would panic on such a mismatch, we drop.
     */
    public static Optional<Message> decode(byte[] payload) {
        try {
            Msg msg = Msg.parseFrom(payload);
            String type = msg.getTypeUrl();
            if (!type.startsWith(TYPE_URL_PREFIX)) {
                return Optional.empty();
            }
            switch (type.substring(TYPE_URL_PREFIX.length())) {
                case "internal.Request":
                    return Optional.of(Request.parseFrom(msg.getValue()));
                case "internal.Response":
                    return Optional.of(Response.parseFrom(msg.getValue()));
                case "internal.ClaimRequest":
                    return Optional.of(ClaimRequest.parseFrom(msg.getValue()));
                case "internal.ClaimResponse":
                    return Optional.of(ClaimResponse.parseFrom(msg.getValue()));
                case "internal.Stream":
                    return Optional.of(Stream.parseFrom(msg.getValue()));
                default:
                    return Optional.empty();
            }
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    /**
     * The key of the queue lock for a payload: standard Base64 (with padding) of SHA-256 over the entire raw
     * Pub/Sub payload (§1.9). Identical bytes published twice within the lock TTL therefore lock the same key.
     */
    public static String queueLockKey(byte[] payload) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(payload);
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }

    /** {@link #queueLockKey(byte[])} as the bytes sent to Redis. */
    static byte[] queueLockKeyBytes(byte[] payload) {
        return queueLockKey(payload).getBytes(StandardCharsets.US_ASCII);
    }

    /** Wall-clock Unix time in nanoseconds, the unit of {@code sent_at} and {@code expiry} (§1.13). */
    public static long nowUnixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
