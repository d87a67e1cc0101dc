package org.jegress.api.config;

/**
 * Google Cloud Storage upload target ({@code gcp:}).
 *
 * @param credentialsJson service-account key JSON; empty lets the SDK use {@code GOOGLE_APPLICATION_CREDENTIALS};
 *                        never printed
 * @param bucket          destination bucket
 * @param proxyConfig     upload proxy, or {@code null}
 */
public record GcpConfig(String credentialsJson, String bucket, ProxyConfig proxyConfig) {
    @Override
    public String toString() {
        return "GcpConfig" + ConfigMaps.toMap(this, true);
    }
}
