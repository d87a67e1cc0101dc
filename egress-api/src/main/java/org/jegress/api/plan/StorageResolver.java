package org.jegress.api.plan;

import java.time.Duration;

import org.jegress.api.config.AliOssConfig;
import org.jegress.api.config.AzureConfig;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.config.GcpConfig;
import org.jegress.api.config.S3Config;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.AliOSSUpload;
import org.jegress.api.livekit.AzureBlobUpload;
import org.jegress.api.livekit.GCPUpload;
import org.jegress.api.livekit.ProxyConfig;
import org.jegress.api.livekit.S3Upload;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StorageConfig;

/**
 * Where an output goes: per-request credentials win, then the worker's {@code storage:} block, then local disk. A
 * request's upload becomes the same settings records a {@code storage:} block loads into, merged with the server
 * keys upstream merges in (prefix, presigned URLs, S3 retry settings and AssumeRole defaults), and is checked
 * for what no upload could work without before anything starts.
 */
final class StorageResolver {

    private static final int S3_MAX_RETRIES = 5;
    private static final Duration S3_MAX_RETRY_DELAY = Duration.ofSeconds(5);
    private static final Duration S3_MIN_RETRY_DELAY = Duration.ofMillis(100);

    private final EgressConfig config;

    StorageResolver(EgressConfig config) {
        this.config = config;
    }

    StorageTarget resolve(StorageConfig upload) {
        org.jegress.api.config.StorageConfig server = config.storage();
        String prefix = server == null || server.prefix() == null ? "" : server.prefix();
        boolean presign = server != null && server.generatePresignedUrl();
        org.jegress.api.config.StorageConfig block = null;
        if (upload != null) {
            block = switch (upload.getProviderCase()) {
                case S3 -> new org.jegress.api.config.StorageConfig(prefix, presign, s3(upload.getS3(), server),
                        null, null, null);
                case GCP -> new org.jegress.api.config.StorageConfig(prefix, presign, null, null,
                        gcp(upload.getGcp()), null);
                case AZURE -> new org.jegress.api.config.StorageConfig(prefix, presign, null,
                        azure(upload.getAzure()), null, null);
                case ALIOSS -> new org.jegress.api.config.StorageConfig(prefix, presign, null, null, null,
                        alioss(upload.getAliOSS()));
                default -> null;
            };
        }
        if (block == null) {
            if (server == null || server.isLocal()) {
                if (config.disallowLocalStorage()) {
                    throw EgressException.invalidInput("output");
                }
                return StorageTarget.local(prefix);
            }
            block = server;
        }
        StorageTarget target = StorageTarget.of(block, config.storageEndpoints());
        check(target);
        return target;
    }

    /** A request's S3 upload, as upstream builds it (config/storage.go). */
    private S3Config s3(S3Upload s3, org.jegress.api.config.StorageConfig server) {
        String accessKey = s3.getAccessKey();
        String secret = s3.getSecret();
        String roleArn = s3.getAssumeRoleArn();
        String externalId = s3.getAssumeRoleExternalId();
        if (roleArn.isEmpty()) {
            roleArn = config.s3AssumeRoleArn();
            externalId = config.s3AssumeRoleExternalId();
        }
        if (!roleArn.isEmpty() && accessKey.isEmpty()) {
            if (config.s3AssumeRoleKey().isEmpty()) {
                throw EgressException.featureDisabled("S3 upload using AssumeRole");
            }
            // a role without a key: the server's key assumes it (uploads into an external account)
            accessKey = config.s3AssumeRoleKey();
            secret = config.s3AssumeRoleSecret();
        }
        S3Config serverS3 = server == null ? null : server.s3();
        int maxRetries = serverS3 == null || serverS3.maxRetries() == 0 ? S3_MAX_RETRIES : serverS3.maxRetries();
        Duration maxDelay = serverS3 == null || serverS3.maxRetryDelay().isZero() ? S3_MAX_RETRY_DELAY
                : serverS3.maxRetryDelay();
        Duration minDelay = serverS3 == null || serverS3.minRetryDelay().isZero() ? S3_MIN_RETRY_DELAY
                : serverS3.minRetryDelay();
        return new S3Config(accessKey, secret, s3.getSessionToken(), roleArn, externalId, s3.getRegion(),
                s3.getEndpoint(), s3.getBucket(), s3.getForcePathStyle(),
                s3.hasProxy() ? proxy(s3.getProxy()) : null, maxRetries, maxDelay, minDelay, s3.getMetadataMap(),
                s3.getTagging(), s3.getContentDisposition());
    }

    private static GcpConfig gcp(GCPUpload gcp) {
        return new GcpConfig(gcp.getCredentials(), gcp.getBucket(), gcp.hasProxy() ? proxy(gcp.getProxy()) : null);
    }

    private static AzureConfig azure(AzureBlobUpload azure) {
        return new AzureConfig(azure.getAccountName(), azure.getAccountKey(), azure.getContainerName());
    }

    private static AliOssConfig alioss(AliOSSUpload oss) {
        return new AliOssConfig(oss.getAccessKey(), oss.getSecret(), oss.getRegion(), oss.getEndpoint(),
                oss.getBucket());
    }

    private static org.jegress.api.config.ProxyConfig proxy(ProxyConfig p) {
        return new org.jegress.api.config.ProxyConfig(p.getUrl(), p.getUsername(), p.getPassword());
    }

    /** What no upload can work without: a bucket (container) to write to, and an endpoint for OSS. */
    private static void check(StorageTarget t) {
        org.jegress.api.config.StorageConfig s = t.storage();
        switch (t.provider()) {
            case S3 -> require(s.s3().bucket(), "bucket");
            case GCP -> require(s.gcp().bucket(), "bucket");
            case AZURE -> require(s.azure().containerName(), "container_name");
            case ALIOSS -> {
                require(s.alioss().bucket(), "bucket");
                require(s.alioss().endpoint(), "endpoint");
            }
            case LOCAL -> {
            }
        }
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw EgressException.invalidInput(field);
        }
    }

    static StorageConfig uploadOf(EncodedFileOutput f) {
        StorageConfig.Builder b = StorageConfig.newBuilder();
        return switch (f.getOutputCase()) {
            case S3 -> b.setS3(f.getS3()).build();
            case GCP -> b.setGcp(f.getGcp()).build();
            case AZURE -> b.setAzure(f.getAzure()).build();
            case ALIOSS -> b.setAliOSS(f.getAliOSS()).build();
            default -> null;
        };
    }

    static StorageConfig uploadOf(DirectFileOutput f) {
        StorageConfig.Builder b = StorageConfig.newBuilder();
        return switch (f.getOutputCase()) {
            case S3 -> b.setS3(f.getS3()).build();
            case GCP -> b.setGcp(f.getGcp()).build();
            case AZURE -> b.setAzure(f.getAzure()).build();
            case ALIOSS -> b.setAliOSS(f.getAliOSS()).build();
            default -> null;
        };
    }

    static StorageConfig uploadOf(SegmentedFileOutput f) {
        StorageConfig.Builder b = StorageConfig.newBuilder();
        return switch (f.getOutputCase()) {
            case S3 -> b.setS3(f.getS3()).build();
            case GCP -> b.setGcp(f.getGcp()).build();
            case AZURE -> b.setAzure(f.getAzure()).build();
            case ALIOSS -> b.setAliOSS(f.getAliOSS()).build();
            default -> null;
        };
    }

    static StorageConfig uploadOf(ImageOutput f) {
        StorageConfig.Builder b = StorageConfig.newBuilder();
        return switch (f.getOutputCase()) {
            case S3 -> b.setS3(f.getS3()).build();
            case GCP -> b.setGcp(f.getGcp()).build();
            case AZURE -> b.setAzure(f.getAzure()).build();
            case ALIOSS -> b.setAliOSS(f.getAliOSS()).build();
            default -> null;
        };
    }
}
