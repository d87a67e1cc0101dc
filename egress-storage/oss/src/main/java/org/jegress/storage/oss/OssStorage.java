package org.jegress.storage.oss;

import java.net.URI;
import java.nio.file.Path;

import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.OSSClientBuilder;
import org.jegress.api.config.AliOssConfig;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.Uploader;
import org.jegress.api.storage.UploaderProvider;

/**
 * The Alibaba Cloud OSS provider ({@code egress-storage-oss}): access key and secret, the endpoint (a scheme-less
 * endpoint means HTTPS), V1 signatures as upstream's SDK uses them (the request's {@code region} is not used,
 * as upstream), 5 retries.
 */
public final class OssStorage implements UploaderProvider {

    @Override
    public StorageTarget.Provider provider() {
        return StorageTarget.Provider.ALIOSS;
    }

    @Override
    public Uploader create(StorageTarget target, Path outputDirectory) {
        AliOssConfig c = target.storage().alioss();
        ClientBuilderConfiguration conf = new ClientBuilderConfiguration();
        conf.setMaxErrorRetry(5);
        conf.setConnectionTimeout(10_000);
        String endpoint = c.endpoint().contains("://") ? c.endpoint() : "https://" + c.endpoint();
        if (URI.create(endpoint).getHost() != null && URI.create(endpoint).getHost().matches("[0-9.]+")) {
            conf.setSLDEnabled(true);
        }
        return new OssUploader(new OSSClientBuilder().build(endpoint, c.accessKey(), c.secret(), conf), c.bucket(),
                c.endpoint());
    }
}
