package org.jegress.api.config;

/**
 * HTTP proxy used for uploads ({@code proxy_config:} under {@code s3} or {@code gcp}).
 *
 * @param url      proxy URL, e.g. {@code http://proxy.internal:3128}
 * @param username proxy user, empty for none
 * @param password proxy password, empty for none; never printed by {@link #toString()}
 */
public record ProxyConfig(String url, String username, String password) {
    @Override
    public String toString() {
        return "ProxyConfig" + ConfigMaps.toMap(this, true);
    }
}
