package org.jegress.api.plan;

import java.security.SecureRandom;

/** Egress identifiers as livekit-server makes them: {@code EG_} plus 12 characters of the shortuuid alphabet. */
public final class EgressIds {

    private static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private EgressIds() {
    }

    public static String newEgressId() {
        return newId("EG_");
    }

    /** A prefix followed by 12 random characters from the base57 alphabet. */
    public static String newId(String prefix) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < 12; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
