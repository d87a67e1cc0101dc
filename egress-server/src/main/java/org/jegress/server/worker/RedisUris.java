package org.jegress.server.worker;

import java.time.Duration;

import java.util.List;

import io.lettuce.core.RedisURI;

import org.jegress.api.config.RedisConfig;
import org.jegress.api.error.EgressException;
import org.jegress.server.psrpc.RedisBus;

/**
 * Turns the {@code redis:} config block into Lettuce URIs (single node, sentinel or cluster seeds, with TLS and
 * credentials) and connects the psrpc bus with them.
 */
public final class RedisUris {
    private RedisUris() {
    }

    /** Connects the psrpc bus in the mode the block selects. */
    public static RedisBus connect(RedisConfig c) {
        if (!c.clusterAddresses().isEmpty()) {
            return RedisBus.connectCluster(clusterSeeds(c), c.maxRedirects(), RedisBus.DEFAULT_TIMEOUT);
        }
        return RedisBus.connect(of(c));
    }

    /** The seed nodes of {@code cluster_addresses}, each with the block's credentials and TLS. */
    public static List<RedisURI> clusterSeeds(RedisConfig c) {
        return c.clusterAddresses().stream().map(a -> {
            HostPort hp = HostPort.parse(a);
            return finish(RedisURI.Builder.redis(hp.host, hp.port), c, false);
        }).toList();
    }

    /** The URI of a single node or sentinel block; cluster blocks go through {@link #clusterSeeds}. */
    public static RedisURI of(RedisConfig c) {
        if (!c.isConfigured()) {
            throw EgressException.invalidInput("redis address (the worker needs the Redis livekit-server uses)");
        }
        if (!c.clusterAddresses().isEmpty()) {
            throw new IllegalArgumentException("cluster mode has several seed URIs: use clusterSeeds");
        }
        RedisURI.Builder b;
        if (!c.sentinelAddresses().isEmpty()) {
            b = RedisURI.builder().withSentinelMasterId(c.sentinelMasterName());
            for (String s : c.sentinelAddresses()) {
                HostPort hp = HostPort.parse(s);
                RedisURI.Builder sentinel = RedisURI.Builder.redis(hp.host, hp.port);
                credentials(sentinel, c.sentinelUsername(), c.sentinelPassword());
                b.withSentinel(sentinel.build());
            }
        } else {
            HostPort hp = HostPort.parse(c.address());
            b = RedisURI.Builder.redis(hp.host, hp.port);
        }
        return finish(b, c, true);
    }

    private static RedisURI finish(RedisURI.Builder b, RedisConfig c, boolean withDatabase) {
        if (withDatabase) {
            b.withDatabase(c.db()); // a cluster has database 0 only
        }
        credentials(b, c.username(), c.password());
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

    private static void credentials(RedisURI.Builder b, String username, String password) {
        if (password != null && !password.isEmpty()) {
            if (username != null && !username.isEmpty()) {
                b.withAuthentication(username, password);
            } else {
                b.withPassword(password.toCharArray());
            }
        }
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
