package org.jegress.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The token of upstream {@code egress.BuildEgressToken}, decoded and verified without the code under test. */
class EgressTokenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EGRESS_ID = "EG_abcdefghijkl";
    private static final String API_KEY = "APIabcdef";
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String ROOM = "my-room";
    private static final Instant NOW = Instant.parse("2024-05-06T07:08:09.987Z");

    private static String[] parts(String jwt) {
        String[] parts = jwt.split("\\.", -1);
        assertThat(parts).hasSize(3);
        return parts;
    }

    private static JsonNode decode(String part) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(part));
    }

    private static String hs256(String signingInput, String secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void header() throws Exception {
        String[] p = parts(EgressToken.build(EGRESS_ID, API_KEY, SECRET, ROOM, NOW));
        assertThat(new String(Base64.getUrlDecoder().decode(p[0]), StandardCharsets.UTF_8))
                .isEqualTo("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    }

    @Test
    void claims() throws Exception {
        JsonNode claims = decode(parts(EgressToken.build(EGRESS_ID, API_KEY, SECRET, ROOM, NOW))[1]);
        long iat = NOW.getEpochSecond();

        assertThat(names(claims)).containsExactlyInAnyOrder("iss", "sub", "nbf", "iat", "exp", "identity", "kind",
                "video");
        assertThat(claims.get("iss").isTextual()).isTrue();
        assertThat(claims.get("iss").asText()).isEqualTo(API_KEY);
        assertThat(claims.get("sub").asText()).isEqualTo(EGRESS_ID);
        assertThat(claims.get("identity").asText()).isEqualTo(EGRESS_ID);
        // NumericDate: whole seconds, as JSON numbers
        assertThat(claims.get("iat").isIntegralNumber()).isTrue();
        assertThat(claims.get("iat").asLong()).isEqualTo(iat);
        assertThat(claims.get("nbf").asLong()).isEqualTo(iat);
        assertThat(claims.get("exp").asLong()).isEqualTo(iat + 86_400);
        assertThat(claims.get("kind").asText()).isEqualTo("egress");

        JsonNode video = claims.get("video");
        assertThat(names(video)).containsExactlyInAnyOrder("roomJoin", "room", "canSubscribe", "canPublish",
                "canPublishData", "hidden", "recorder");
        assertThat(video.get("roomJoin").isBoolean()).isTrue();
        assertThat(video.get("roomJoin").asBoolean()).isTrue();
        assertThat(video.get("room").asText()).isEqualTo(ROOM);
        assertThat(video.get("canSubscribe").asBoolean()).isTrue();
        assertThat(video.get("canPublish").isBoolean()).isTrue();
        assertThat(video.get("canPublish").asBoolean()).isFalse();
        assertThat(video.get("canPublishData").isBoolean()).isTrue();
        assertThat(video.get("canPublishData").asBoolean()).isFalse();
        assertThat(video.get("hidden").asBoolean()).isTrue();
        assertThat(video.get("recorder").asBoolean()).isTrue();
    }

    @Test
    void ttlIs24Hours() {
        assertThat(EgressToken.TTL).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void signatureIsHs256OverHeaderAndPayload() throws Exception {
        String jwt = EgressToken.build(EGRESS_ID, API_KEY, SECRET, ROOM, NOW);
        String[] p = parts(jwt);
        assertThat(p[2]).isEqualTo(hs256(p[0] + "." + p[1], SECRET));
        assertThat(p[2]).isNotEqualTo(hs256(p[0] + "." + p[1], SECRET + "x"));
        // 32-byte MAC, base64url without padding
        assertThat(Base64.getUrlDecoder().decode(p[2])).hasSize(32);
    }

    @Test
    void base64UrlWithoutPadding() {
        for (String room : new String[] {"a", "ab", "abc", "room?with/odd+chars~~", "\u00e9t\u00e9"}) {
            String jwt = EgressToken.build(EGRESS_ID, API_KEY, SECRET, room, NOW);
            assertThat(jwt).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        }
    }

    @Test
    void nonAsciiRoomSurvives() throws Exception {
        String jwt = EgressToken.build(EGRESS_ID, API_KEY, SECRET, "salle-\u00e9t\u00e9", NOW);
        assertThat(decode(parts(jwt)[1]).get("video").get("room").asText()).isEqualTo("salle-\u00e9t\u00e9");
    }

    @Test
    void deterministicForTheSameInput() {
        assertThat(EgressToken.build(EGRESS_ID, API_KEY, SECRET, ROOM, NOW))
                .isEqualTo(EgressToken.build(EGRESS_ID, API_KEY, SECRET, ROOM, NOW));
        assertThat(EgressToken.build(EGRESS_ID, API_KEY, SECRET, ROOM, NOW))
                .isNotEqualTo(EgressToken.build(EGRESS_ID, API_KEY, SECRET, ROOM, NOW.plusSeconds(1)));
    }

    @Test
    void signKnownVector() {
        // the well-known HS256 example token (RFC 7519 style, as shown on jwt.io)
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", "1234567890");
        claims.put("name", "John Doe");
        claims.put("iat", 1516239022L);
        assertThat(EgressToken.sign(claims, "your-256-bit-secret")).isEqualTo(
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
                        + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
                        + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
    }
}
