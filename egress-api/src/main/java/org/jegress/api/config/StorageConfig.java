package org.jegress.api.config;

/**
 * Where finished files go when a request names no storage of its own ({@code storage:}, {@code backup:}, and the
 * inline upload keys of {@code debug:}). When several providers are set, upstream picks the first of
 * s3, gcp, azure, alioss.
 *
 * @param prefix               prepended to every uploaded object path
 * @param generatePresignedUrl report a presigned URL (valid 7 days) as the output location
 * @param s3                   S3 target, or {@code null}
 * @param azure                Azure Blob target, or {@code null}
 * @param gcp                  Google Cloud Storage target, or {@code null}
 * @param alioss               Alibaba OSS target, or {@code null}
 */
public record StorageConfig(
        String prefix,
        boolean generatePresignedUrl,
        S3Config s3,
        AzureConfig azure,
        GcpConfig gcp,
        AliOssConfig alioss) {

    /** True when no upload provider is configured, i.e. files stay on local disk. */
    public boolean isLocal() {
        return s3 == null && azure == null && gcp == null && alioss == null;
    }

    /**
     * The block as nested maps of its YAML keys ({@link ConfigLoader#storageBlock} reads them back); with
     * {@code redact}, secrets are replaced.
     */
    public java.util.Map<String, Object> keys(boolean redact) {
        return ConfigMaps.toMap(this, redact);
    }
}
