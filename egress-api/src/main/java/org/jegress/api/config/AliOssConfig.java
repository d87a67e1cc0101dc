package org.jegress.api.config;

/**
 * Alibaba Cloud OSS upload target ({@code alioss:}).
 *
 * @param accessKey AccessKey ID
 * @param secret    AccessKey secret; never printed by {@link #toString()}
 * @param region    OSS region; accepted for compatibility, but upstream never passes it to the uploader
 * @param endpoint  OSS endpoint
 * @param bucket    destination bucket
 */
public record AliOssConfig(String accessKey, String secret, String region, String endpoint, String bucket) {
    @Override
    public String toString() {
        return "AliOssConfig" + ConfigMaps.toMap(this, true);
    }
}
