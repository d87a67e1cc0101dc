package org.jegress.storage.s3;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;

import org.jegress.api.config.ProxyConfig;
import org.jegress.api.config.S3Config;
import org.jegress.api.error.EgressException;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.Uploader;
import org.jegress.api.storage.UploaderProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.ProxyConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The S3 provider ({@code egress-storage-s3}): builds an {@link S3Uploader} from an {@code S3Upload} or a
 * {@code storage.s3} block, as upstream configures its client: static keys (with a session token) or the SDK's
 * default chain ({@code AWS_ACCESS_KEY_ID}, profiles, instance roles); AssumeRole through STS with those
 * credentials; the region (us-east-1 with cross-region access when none is given, so the bucket's own region is
 * found); a custom endpoint and path-style addressing for S3-compatible services; the upload proxy; and retries with
 * exponential back-off between {@code min_retry_delay} and {@code max_retry_delay}, HTTP 409 and 429 included.
 */
public final class S3Storage implements UploaderProvider {

    private static final String DEFAULT_REGION = "us-east-1";
    private static final int DEFAULT_RETRIES = 5;
    private static final java.time.Duration DEFAULT_MIN_DELAY = java.time.Duration.ofMillis(100);
    private static final java.time.Duration DEFAULT_MAX_DELAY = java.time.Duration.ofSeconds(5);

    @Override
    public StorageTarget.Provider provider() {
        return StorageTarget.Provider.S3;
    }

    @Override
    public void validate(StorageTarget target) {
        S3Config c = target.storage().s3();
        if (!c.region().isEmpty() && c.endpoint().isEmpty() && !Region.regions().contains(Region.of(c.region()))) {
            // without an endpoint the region names the AWS endpoint; an unknown one would only fail at upload
            throw EgressException.invalidInput("region");
        }
        if (!c.endpoint().isEmpty()) {
            try {
                S3Uploader.endpointUri(c.endpoint());
            } catch (IllegalArgumentException e) {
                throw EgressException.invalidInput("endpoint");
            }
        }
        proxy(c.proxyConfig());
    }

    @Override
    public Uploader create(StorageTarget target, Path outputDirectory) {
        S3Config c = target.storage().s3();
        SdkHttpClient http = httpClient(c.proxyConfig());
        Region region = Region.of(c.region().isEmpty() ? DEFAULT_REGION : c.region());
        AwsCredentialsProvider credentials = credentials(c, http, region);
        S3Configuration s3 = S3Configuration.builder().pathStyleAccessEnabled(c.forcePathStyle()).build();
        var builder = S3Client.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .serviceConfiguration(s3).overrideConfiguration(o -> o.retryStrategy(retries(c)));
        var presigner = S3Presigner.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(s3);
        if (!c.endpoint().isEmpty()) {
            URI endpoint = S3Uploader.endpointUri(c.endpoint());
            builder.endpointOverride(endpoint);
            presigner.endpointOverride(endpoint);
        } else if (c.region().isEmpty()) {
            builder.crossRegionAccessEnabled(true);
        }
        return new S3Uploader(c, builder.build(), presigner.build());
    }

    private static AwsCredentialsProvider credentials(S3Config c, SdkHttpClient http, Region region) {
        AwsCredentialsProvider base;
        if (!c.accessKey().isEmpty() && !c.secret().isEmpty()) {
            base = StaticCredentialsProvider.create(c.sessionToken().isEmpty()
                    ? AwsBasicCredentials.create(c.accessKey(), c.secret())
                    : AwsSessionCredentials.create(c.accessKey(), c.secret(), c.sessionToken()));
        } else {
            base = DefaultCredentialsProvider.builder().build();
        }
        if (c.assumeRoleArn().isEmpty()) {
            return base;
        }
        StsClient sts = StsClient.builder().httpClient(http).region(region).credentialsProvider(base).build();
        return StsAssumeRoleCredentialsProvider.builder().stsClient(sts).refreshRequest(r -> {
            r.roleArn(c.assumeRoleArn()).roleSessionName("egress-" + Instant.now().getEpochSecond());
            if (!c.assumeRoleExternalId().isEmpty()) {
                r.externalId(c.assumeRoleExternalId());
            }
        }).build();
    }

    /** Upstream's retryer: max_retries attempts, exponential back-off, 409 and 429 retried too. */
    static RetryStrategy retries(S3Config c) {
        int attempts = c.maxRetries() > 0 ? c.maxRetries() : DEFAULT_RETRIES;
        java.time.Duration min = c.minRetryDelay().isZero() ? DEFAULT_MIN_DELAY : c.minRetryDelay();
        java.time.Duration max = c.maxRetryDelay().isZero() ? DEFAULT_MAX_DELAY : c.maxRetryDelay();
        return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(attempts)
                .backoffStrategy(BackoffStrategy.exponentialDelay(min, max))
                .retryOnException(e -> e instanceof S3Exception s && (s.statusCode() == 409 || s.statusCode() == 429))
                .build();
    }

    private static SdkHttpClient httpClient(ProxyConfig proxy) {
        UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
                .connectionTimeout(java.time.Duration.ofSeconds(10)).socketTimeout(java.time.Duration.ofSeconds(60));
        ProxyConfiguration p = proxy(proxy);
        if (p != null) {
            b.proxyConfiguration(p);
        }
        return b.build();
    }

    private static ProxyConfiguration proxy(ProxyConfig proxy) {
        if (proxy == null || proxy.url().isEmpty()) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(proxy.url());
        } catch (IllegalArgumentException e) {
            throw EgressException.invalidInput("proxy");
        }
        if (uri.getHost() == null) {
            throw EgressException.invalidInput("proxy");
        }
        ProxyConfiguration.Builder b = ProxyConfiguration.builder().endpoint(uri).useSystemPropertyValues(false)
                .useEnvironmentVariablesValues(false);
        if (!proxy.username().isEmpty() && !proxy.password().isEmpty()) {
            b.username(proxy.username()).password(proxy.password());
        }
        return b.build();
    }
}
