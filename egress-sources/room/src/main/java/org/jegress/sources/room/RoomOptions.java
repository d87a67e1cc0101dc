package org.jegress.sources.room;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

import org.jegress.api.auth.EgressToken;

/**
 * Where and how a {@link RoomConnection} joins. Build with {@link #builder(String, String, String)}.
 *
 * @param serverUrl livekit-server base URL ({@code ws://}, {@code wss://}, {@code http://} or {@code https://})
 * @param room room name
 * @param identity recorder identity (egress uses the egress ID); must be unique in the room, a second join with it
 *        evicts the first
 * @param tokenSource mints the join token for each (re)join; by default an {@link EgressToken} (hidden, recorder,
 *        subscribe-only, kind egress)
 * @param reuseMitigation how to keep the server from reusing inactive transceivers
 * @param jitterBufferLatency webrtcbin latency (jitter buffer), above the RTT so NACK/RTX works
 * @param joinTimeout how long a join may take until the JoinResponse
 * @param maxRejoinAttempts consecutive full rejoins before giving up ({@link ConnectionState#FAILED})
 * @param pingTimeoutOverride if set, replaces the server's ping timeout (tests)
 * @param fixedToken true when {@code tokenSource} always returns the same caller-given token; rejoins then use the
 *        server's latest {@code refresh_token} instead
 */
public record RoomOptions(URI serverUrl, String room, String identity, Supplier<String> tokenSource,
        TransceiverReuseMitigation reuseMitigation, Duration jitterBufferLatency, Duration joinTimeout,
        int maxRejoinAttempts, Duration pingTimeoutOverride, boolean fixedToken) {

    public RoomOptions {
        Objects.requireNonNull(serverUrl, "serverUrl");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(tokenSource, "tokenSource");
        Objects.requireNonNull(reuseMitigation, "reuseMitigation");
        Objects.requireNonNull(jitterBufferLatency, "jitterBufferLatency");
        Objects.requireNonNull(joinTimeout, "joinTimeout");
    }

    /**
     * Options that mint an egress token (hidden, recorder, subscribe-only, kind "egress") for every join.
     *
     * @param serverUrl e.g. {@code ws://10.99.0.1:7880}
     * @param apiKey API key (token issuer)
     * @param apiSecret API secret
     */
    public static Builder builder(String serverUrl, String apiKey, String apiSecret) {
        return new Builder(serverUrl, apiKey, apiSecret);
    }

    /** Builder with the defaults documented on each setter. */
    public static final class Builder {
        private final String serverUrl;
        private final String apiKey;
        private final String apiSecret;
        private String room;
        private String identity;
        private Supplier<String> token;
        private TransceiverReuseMitigation reuse = TransceiverReuseMitigation.BROWSER_SAFARI;
        private Duration latency = Duration.ofMillis(300);
        private Duration joinTimeout = Duration.ofSeconds(10);
        private int maxRejoinAttempts = 5;
        private Duration pingTimeout;

        private Builder(String serverUrl, String apiKey, String apiSecret) {
            this.serverUrl = serverUrl;
            this.apiKey = apiKey;
            this.apiSecret = apiSecret;
        }

        public Builder room(String room) {
            this.room = room;
            return this;
        }

        public Builder identity(String identity) {
            this.identity = identity;
            return this;
        }

        /** Use this token (for example one that came with an egress request) instead of minting one. */
        public Builder token(String fixedToken) {
            this.token = () -> fixedToken;
            return this;
        }

        /** Default {@link TransceiverReuseMitigation#BROWSER_SAFARI}. */
        public Builder reuseMitigation(TransceiverReuseMitigation mitigation) {
            this.reuse = mitigation;
            return this;
        }

        /** Default 300 ms. */
        public Builder jitterBufferLatency(Duration latency) {
            this.latency = latency;
            return this;
        }

        /** Default 10 s. */
        public Builder joinTimeout(Duration timeout) {
            this.joinTimeout = timeout;
            return this;
        }

        /** Default 5. */
        public Builder maxRejoinAttempts(int attempts) {
            this.maxRejoinAttempts = attempts;
            return this;
        }

        /** Default: the server's (15 s). */
        public Builder pingTimeout(Duration timeout) {
            this.pingTimeout = timeout;
            return this;
        }

        public RoomOptions build() {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(identity, "identity");
            Supplier<String> src = token;
            if (src == null) {
                Objects.requireNonNull(apiKey, "apiKey");
                Objects.requireNonNull(apiSecret, "apiSecret");
                String r = room;
                String id = identity;
                src = () -> EgressToken.build(id, apiKey, apiSecret, r, Instant.now());
            }
            return new RoomOptions(URI.create(serverUrl), room, identity, src, reuse, latency, joinTimeout,
                    maxRejoinAttempts, pingTimeout, token != null);
        }
    }
}
