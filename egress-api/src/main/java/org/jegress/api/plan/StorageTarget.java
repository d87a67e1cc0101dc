package org.jegress.api.plan;

import org.jegress.api.config.StorageConfig;

/**
 * Where finished outputs go. Exactly one of {@code request} (credentials given in the request) or
 * {@code configured} (the worker's {@code storage:} block) describes the provider; both null means local disk.
 *
 * @param provider which uploader handles the output
 * @param request per-request upload settings, or null
 * @param configured the worker's storage block, or null
 */
public record StorageTarget(Provider provider, org.jegress.api.livekit.StorageConfig request, StorageConfig configured) {

    /** Storage providers; the name is what uploaders register under. */
    public enum Provider {
        LOCAL("local"),
        S3("s3"),
        GCP("gcp"),
        AZURE("azure"),
        ALIOSS("alioss");

        private final String id;

        Provider(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public static StorageTarget local(StorageConfig configured) {
        return new StorageTarget(Provider.LOCAL, null, configured);
    }

    public boolean isLocal() {
        return provider == Provider.LOCAL;
    }

    /** Prefix prepended to every object path ({@code storage.prefix}), empty when unset. */
    public String prefix() {
        return configured == null || configured.prefix() == null ? "" : configured.prefix();
    }
}
