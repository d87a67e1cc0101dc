package org.jegress.api.plan;

import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.DirectFileOutput;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.ImageOutput;
import org.jegress.api.livekit.SegmentedFileOutput;
import org.jegress.api.livekit.StorageConfig;

/** Where an output goes: per-request credentials win, then the worker's {@code storage:} block, then local disk. */
final class StorageResolver {

    private final EgressConfig config;

    StorageResolver(EgressConfig config) {
        this.config = config;
    }

    StorageTarget resolve(StorageConfig upload) {
        if (upload != null) {
            switch (upload.getProviderCase()) {
                case S3:
                    return new StorageTarget(StorageTarget.Provider.S3, upload, config.storage());
                case GCP:
                    return new StorageTarget(StorageTarget.Provider.GCP, upload, config.storage());
                case AZURE:
                    return new StorageTarget(StorageTarget.Provider.AZURE, upload, config.storage());
                case ALIOSS:
                    return new StorageTarget(StorageTarget.Provider.ALIOSS, upload, config.storage());
                default:
                    break;
            }
        }
        org.jegress.api.config.StorageConfig sc = config.storage();
        if (sc == null || sc.isLocal()) {
            if (config.disallowLocalStorage()) {
                throw EgressException.invalidInput("output");
            }
            return StorageTarget.local(sc);
        }
        if (sc.s3() != null) {
            return new StorageTarget(StorageTarget.Provider.S3, null, sc);
        }
        if (sc.gcp() != null) {
            return new StorageTarget(StorageTarget.Provider.GCP, null, sc);
        }
        if (sc.azure() != null) {
            return new StorageTarget(StorageTarget.Provider.AZURE, null, sc);
        }
        return new StorageTarget(StorageTarget.Provider.ALIOSS, null, sc);
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
