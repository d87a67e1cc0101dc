package org.jegress.api.config;

import java.time.Duration;
import java.util.List;

/**
 * Connection to the Redis that carries psrpc between livekit-server and egress ({@code redis:}); it must be the
 * same Redis the server uses. Exactly one of {@code address}, {@code sentinelAddresses} or
 * {@code clusterAddresses} selects the mode.
 *
 * @param address            single-node {@code host:port}
 * @param username           ACL user, empty for none
 * @param password           password; never printed by {@link #toString()}
 * @param db                 database number (single-node and sentinel modes)
 * @param useTls             deprecated switch for TLS with default settings; prefer {@code tls.enabled}
 * @param tls                TLS settings, or {@code null}
 * @param sentinelMasterName sentinel master name
 * @param sentinelUsername   sentinel ACL user
 * @param sentinelPassword   sentinel password; never printed
 * @param sentinelAddresses  sentinel {@code host:port} list
 * @param clusterAddresses   cluster seed {@code host:port} list
 * @param dialTimeoutMillis  connect timeout in milliseconds ({@code dial_timeout}); 0 = client default
 * @param readTimeoutMillis  read timeout in milliseconds ({@code read_timeout}); 0 = client default
 * @param writeTimeoutMillis write timeout in milliseconds ({@code write_timeout}); 0 = client default
 * @param maxRedirects       cluster mode: MOVED/ASK redirects to follow; default 2
 * @param poolTimeout        wait for a free pooled connection; zero = client default
 * @param poolSize           connection pool size; 0 = client default
 */
public record RedisConfig(
        String address,
        String username,
        String password,
        int db,
        boolean useTls,
        TlsConfig tls,
        String sentinelMasterName,
        String sentinelUsername,
        String sentinelPassword,
        List<String> sentinelAddresses,
        List<String> clusterAddresses,
        int dialTimeoutMillis,
        int readTimeoutMillis,
        int writeTimeoutMillis,
        int maxRedirects,
        Duration poolTimeout,
        int poolSize) {

    public RedisConfig {
        sentinelAddresses = List.copyOf(sentinelAddresses);
        clusterAddresses = List.copyOf(clusterAddresses);
    }

    /** True when any of the three connection modes has an address, as upstream's {@code IsConfigured}. */
    public boolean isConfigured() {
        return !address.isEmpty() || !sentinelAddresses.isEmpty() || !clusterAddresses.isEmpty();
    }

    @Override
    public String toString() {
        return "RedisConfig" + ConfigMaps.toMap(this, true);
    }

    /**
     * TLS towards Redis ({@code redis.tls:}).
     *
     * @param enabled        use TLS
     * @param insecure       skip certificate and host name verification
     * @param serverName     SNI / expected host name
     * @param caCertFile     PEM file of trusted roots
     * @param clientCertFile PEM client certificate, with {@code clientKeyFile}
     * @param clientKeyFile  PEM client private key, with {@code clientCertFile}
     */
    public record TlsConfig(
            boolean enabled,
            boolean insecure,
            String serverName,
            String caCertFile,
            String clientCertFile,
            String clientKeyFile) {
    }
}
