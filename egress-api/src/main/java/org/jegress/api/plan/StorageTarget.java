package org.jegress.api.plan;

import java.util.Objects;

import org.jegress.api.config.EgressConfig;
import org.jegress.api.config.StorageConfig;

/**
 * Where finished outputs go: one provider and everything its uploader needs, whether it came from the request
 * ({@code S3Upload} and friends, with the server's prefix, presign and retry settings merged in as upstream does) or
 * from the worker's {@code storage:} / {@code backup:} block. {@code storage} names exactly the provider used (the
 * others are null); a local target has none.
 *
 * @param provider    which uploader handles the output
 * @param storage     the effective settings: prefix, presigned URLs, and the provider's block
 * @param apiEndpoint where the provider's API is reached when it is not the public cloud ({@code storage_endpoints},
 *                    for the providers whose settings have no endpoint of their own); empty = the public endpoint
 */
public record StorageTarget(Provider provider, StorageConfig storage, String apiEndpoint) {

    /** Storage providers; {@link #id()} is the config key, {@link #label()} the name upstream puts in errors. */
    public enum Provider {
        LOCAL("local", "Local"),
        S3("s3", "S3"),
        GCP("gcp", "GCP"),
        AZURE("azure", "Azure"),
        ALIOSS("alioss", "AliOSS");

        private final String id;
        private final String label;

        Provider(String id, String label) {
            this.id = id;
            this.label = label;
        }

        public String id() {
            return id;
        }

        /** As in "S3 upload failed: …". */
        public String label() {
            return label;
        }
    }

    public StorageTarget {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(storage, "storage");
        apiEndpoint = apiEndpoint == null ? "" : apiEndpoint;
    }

    /** Local disk, with the server's prefix. */
    public static StorageTarget local(String prefix) {
        return new StorageTarget(Provider.LOCAL, new StorageConfig(prefix == null ? "" : prefix, false, null, null,
                null, null), "");
    }

    /**
     * The target a storage block describes: the first of s3, gcp, azure and alioss that is set (upstream's order),
     * with the others dropped; local when none is.
     */
    public static StorageTarget of(StorageConfig block, java.util.Map<String, String> endpoints) {
        String prefix = block.prefix() == null ? "" : block.prefix();
        boolean presign = block.generatePresignedUrl();
        if (block.s3() != null) {
            return new StorageTarget(Provider.S3, new StorageConfig(prefix, presign, block.s3(), null, null, null), "");
        }
        if (block.gcp() != null) {
            return new StorageTarget(Provider.GCP, new StorageConfig(prefix, presign, null, null, block.gcp(), null),
                    endpoints.getOrDefault("gcp", ""));
        }
        if (block.azure() != null) {
            return new StorageTarget(Provider.AZURE, new StorageConfig(prefix, presign, null, block.azure(), null,
                    null), endpoints.getOrDefault("azure", ""));
        }
        if (block.alioss() != null) {
            return new StorageTarget(Provider.ALIOSS, new StorageConfig(prefix, presign, null, null, null,
                    block.alioss()), "");
        }
        return new StorageTarget(Provider.LOCAL, new StorageConfig(prefix, presign, null, null, null, null), "");
    }

    /** The worker's {@code backup:} target, or null when none is configured. */
    public static StorageTarget backup(EgressConfig config) {
        StorageConfig b = config.backup();
        return b == null || b.isLocal() ? null : of(b, config.storageEndpoints());
    }

    public boolean isLocal() {
        return provider == Provider.LOCAL;
    }

    /** Prefix joined to every object path ({@code storage.prefix}), empty when unset. */
    public String prefix() {
        return storage.prefix() == null ? "" : storage.prefix();
    }

    /** Whether the reported location is a presigned URL ({@code storage.generate_presigned_url}). */
    public boolean presigned() {
        return storage.generatePresignedUrl();
    }

    /**
     * Whether uploads go to an endpoint of the user's rather than the provider's public one (the
     * {@code custom_endpoint} label of the upload metrics).
     */
    public boolean customEndpoint() {
        return switch (provider) {
            case S3 -> !storage.s3().endpoint().isEmpty();
            case ALIOSS -> !storage.alioss().endpoint().isEmpty();
            case GCP, AZURE -> !apiEndpoint.isEmpty();
            case LOCAL -> false;
        };
    }

    /** Secrets never appear: the config records print them redacted. */
    @Override
    public String toString() {
        return "StorageTarget[" + provider.id() + ", " + storage + (apiEndpoint.isEmpty() ? "" : ", " + apiEndpoint)
                + "]";
    }
}
