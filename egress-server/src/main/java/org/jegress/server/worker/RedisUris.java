package org.jegress.server.worker;

import java.time.Duration;

import io.lettuce.core.RedisURI;

import org.jegress.api.config.RedisConfig;
import org.jegress.api.error.EgressException;

/** Turns the {@code redis:} config block into a Lettuce URI: single node or sentinel, with TLS and credentials. */
public final class RedisUris {

    private RedisUris() {
    }

    public static RedisURI of(RedisConfig c) {
        if (!c.isConfigured()) {
            throw EgressException.invalidInput("redis address (the worker needs the Redis livekit-server uses)");
        }
        if (!c.clusterAddresses().isEmpty()) {
            throw EgressException.notSupported("redis cluster mode");
        }
        RedisURI.Builder b;
        if (!c.sentinelAddresses().isEmpty()) {
            HostPort first = HostPort.parse(c.sentinelAddresses().get(0));
            b = RedisURI.Builder.sentinel(first.host, first.port, c.sentinelMasterName());
            for (String s : c.sentinelAddresses().subList(1, c.sentinelAddresses().size())) {
                HostPort hp = HostPort.parse(s);
                b.withSentinel(hp.host, hp.port);
            }
        } else {
            HostPort hp = HostPort.parse(c.address());
            b = RedisURI.Builder.redis(hp.host, hp.port);
        }
        b.withDatabase(c.db());
        if (c.password() != null && !c.password().isEmpty()) {
            if (c.username() != null && !c.username().isEmpty()) {
                b.withAuthentication(c.username(), c.password());
            } else {
                b.withPassword(c.password().toCharArray());
            }
        }
        boolean tls = c.useTls() || (c.tls() != null && c.tls().enabled());
        if (tls) {
            b.withSsl(true);
            if (c.tls() != null && c.tls().insecure()) {
                b.withVerifyPeer(false);
            }
        }
        if (c.dialTimeoutMillis() > 0) {
            b.withTimeout(Duration.ofMillis(c.dialTimeoutMillis()));
        }
        return b.build();
    }

    private record HostPort(String host, int port) {
        static HostPort parse(String address) {
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                return new HostPort(address, 6379);
            }
            try {
                return new HostPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw EgressException.invalidInput("redis address " + address);
            }
        }
    }
}
