package org.jegress.api.config;

import java.time.Duration;
import java.util.Map;

/**
 * S3 or S3-compatible upload target ({@code s3:} under {@code storage}, {@code backup} or {@code debug}). The
 * retry fields stay as configured: zero means "let the uploader pick", and upstream fills 5 retries,
 * 100ms and 5s only when it builds a per-request S3 target.
 *
 * @param accessKey            access key ID; empty lets the SDK fall back to {@code AWS_ACCESS_KEY_ID} or an IAM role
 * @param secret               secret access key; never printed by {@link #toString()}
 * @param sessionToken         temporary-credential session token; never printed
 * @param assumeRoleArn        role to assume with the access key before uploading
 * @param assumeRoleExternalId external ID presented when assuming the role
 * @param region               bucket region; required when {@code endpoint} is empty
 * @param endpoint             custom endpoint for S3-compatible services; empty means AWS
 * @param bucket               destination bucket
 * @param forcePathStyle       path-style addressing, for MinIO-like endpoints
 * @param proxyConfig          upload proxy, or {@code null}
 * @param maxRetries           upload attempts after the first failure; 0 = uploader default
 * @param maxRetryDelay        upper bound of the retry back-off; zero = uploader default
 * @param minRetryDelay        lower bound of the retry back-off; zero = uploader default
 * @param metadata             object metadata set on every upload
 * @param tagging              object tagging, URL-query encoded ({@code k1=v1&k2=v2})
 * @param contentDisposition   {@code Content-Disposition} header set on every upload
 */
public record S3Config(
        String accessKey,
        String secret,
        String sessionToken,
        String assumeRoleArn,
        String assumeRoleExternalId,
        String region,
        String endpoint,
        String bucket,
        boolean forcePathStyle,
        ProxyConfig proxyConfig,
        int maxRetries,
        Duration maxRetryDelay,
        Duration minRetryDelay,
        Map<String, String> metadata,
        String tagging,
        String contentDisposition) {

    public S3Config {
        metadata = Map.copyOf(metadata);
    }

    @Override
    public String toString() {
        return "S3Config" + ConfigMaps.toMap(this, true);
    }
}
