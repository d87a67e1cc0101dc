package org.jegress.server.psrpc;

import java.util.concurrent.ThreadLocalRandom;

/**
 * psrpc identifiers: a prefix plus 12 characters from {@code [A-Za-z0-9]} (psrpc-wire.md §1.4). IDs end up in
 * channel names, so they are drawn only from characters that channel sanitizing leaves unchanged.
 */
public final class Ids {
    /** Prefix of client IDs. */
    public static final String CLIENT = "CLI_";
    /** Prefix of server IDs. */
    public static final String SERVER = "SRV_";
    /** Prefix of request IDs. */
    public static final String REQUEST = "REQ_";
    /** Prefix of stream IDs. */
    public static final String STREAM = "STR_";

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int LENGTH = 12;

    private Ids() {
    }

    /** A new {@code CLI_…} ID. */
    public static String clientId() {
        return generate(CLIENT);
    }

    /** A new {@code SRV_…} ID. */
    public static String serverId() {
        return generate(SERVER);
    }

    /** A new {@code REQ_…} ID; every attempt gets a fresh one. */
    public static String requestId() {
        return generate(REQUEST);
    }

    /** A new {@code STR_…} ID. */
    public static String streamId() {
        return generate(STREAM);
    }

    /** {@code prefix} followed by 12 random alphanumeric characters. */
    public static String generate(String prefix) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(prefix.length() + LENGTH).append(prefix);
        for (int i = 0; i < LENGTH; i++) {
            sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
