package org.jegress.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The token egress builds when a request carries none: identity = egress ID, {@code kind: "egress"}, a
 * room-join grant with subscribe-only, hidden and recorder rights, valid for 24 hours. livekit-server
 * verifies it with the API secret looked up by {@code iss}.
 */
public final class EgressToken {

    /** Lifetime of tokens minted for egress participants. */
    public static final Duration TTL = Duration.ofHours(24);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private EgressToken() {
    }

    /**
     * Mints the recorder token.
     *
     * @param egressId identity of the egress participant
     * @param apiKey issuer
     * @param apiSecret HMAC key
     * @param roomName room the grant is for
     * @param now issue time
     */
    public static String build(String egressId, String apiKey, String apiSecret, String roomName, Instant now) {
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("roomJoin", true);
        video.put("room", roomName);
        video.put("canSubscribe", true);
        video.put("canPublish", false);
        video.put("canPublishData", false);
        video.put("hidden", true);
        video.put("recorder", true);

        Map<String, Object> claims = new LinkedHashMap<>();
        long iat = now.getEpochSecond();
        claims.put("iss", apiKey);
        claims.put("sub", egressId);
        claims.put("nbf", iat);
        claims.put("iat", iat);
        claims.put("exp", iat + TTL.getSeconds());
        // upstream's claim grants carry the identity next to the registered "sub" claim
        claims.put("identity", egressId);
        claims.put("kind", "egress");
        claims.put("video", video);
        return sign(claims, apiSecret);
    }

    /** Signs arbitrary claims as an HS256 JWT. */
    public static String sign(Map<String, Object> claims, String secret) {
        try {
            String header = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String payload = B64.encodeToString(JSON.writeValueAsBytes(claims));
            String signingInput = header + "." + payload;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sig = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(sig);
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }
}
