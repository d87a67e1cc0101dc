package org.jegress.server.psrpc;

import java.time.Duration;
import java.util.Map;

/**
 * Per-call settings of {@link PsrpcClient}: request timeout (which sets {@code expiry}), server selection and
 * outgoing metadata.
 *
 * @param timeout   the request's lifetime: {@code expiry = sent_at + timeout}, and how long the client waits
 * @param selection how to pick among claims; {@code null} derives it from the method (§1.8)
 * @param metadata  sent in {@code Request.metadata}
 */
public record CallOptions(Duration timeout, Selection selection, Map<String, String> metadata) {
    /** psrpc {@code DefaultClientTimeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    public CallOptions {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** 3 s timeout, selection from the method, no metadata. */
    public static CallOptions defaults() {
        return new CallOptions(DEFAULT_TIMEOUT, null, Map.of());
    }

    /** Defaults with another timeout. */
    public static CallOptions withTimeoutOf(Duration timeout) {
        return new CallOptions(timeout, null, Map.of());
    }

    /** A copy with another timeout. */
    public CallOptions withTimeout(Duration timeout) {
        return new CallOptions(timeout, selection, metadata);
    }

    /** A copy with explicit selection options, replacing the method-derived ones. */
    public CallOptions withSelection(Selection selection) {
        return new CallOptions(timeout, selection, metadata);
    }

    /** A copy with other metadata. */
    public CallOptions withMetadata(Map<String, String> metadata) {
        return new CallOptions(timeout, selection, metadata);
    }

    /**
     * psrpc {@code SelectionOpts} (§1.8): which ClaimRequest wins.
     *
     * @param minimumAffinity      if &gt; 0, claims below it are counted but never chosen
     * @param maximumAffinity      if &gt; 0, a claim at or above it is chosen at once
     * @param acceptFirstAvailable choose the first acceptable claim at once
     * @param affinityTimeout      selection ends this long after publishing; zero = only the request timeout
     * @param shortCircuitTimeout  if &gt; 0, selection ends this long after the first acceptable claim
     */
    public record Selection(float minimumAffinity, float maximumAffinity, boolean acceptFirstAvailable,
                            Duration affinityTimeout, Duration shortCircuitTimeout) {
        /** psrpc {@code DefaultAffinityTimeout}, the default client selection timeout. */
        public static final Duration DEFAULT_AFFINITY_TIMEOUT = Duration.ofSeconds(1);
        /** psrpc {@code DefaultAffinityShortCircuit}. */
        public static final Duration DEFAULT_SHORT_CIRCUIT = Duration.ofMillis(200);
        /** What livekit-server's EgressInternal client uses for StartEgress (protocol {@code egress_client.go}). */
        public static final Selection START_EGRESS =
                new Selection(0, 1, false, Duration.ofSeconds(1), Duration.ofMillis(500));

        public Selection {
            affinityTimeout = affinityTimeout == null ? Duration.ZERO : affinityTimeout;
            shortCircuitTimeout = shortCircuitTimeout == null ? Duration.ZERO : shortCircuitTimeout;
        }

        /**
         * psrpc's per-method default: affinity methods wait {@code selectionTimeout} with a 200 ms short
         * circuit; all others take the first claim.
         */
        public static Selection forMethod(Method<?, ?> method, Duration selectionTimeout) {
            return method.affinity()
                    ? new Selection(0, 0, false, selectionTimeout, DEFAULT_SHORT_CIRCUIT)
                    : new Selection(0, 0, true, selectionTimeout, Duration.ZERO);
        }
    }
}
