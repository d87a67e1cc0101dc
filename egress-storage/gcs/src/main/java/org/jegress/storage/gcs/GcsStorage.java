package org.jegress.storage.gcs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import org.jegress.api.config.GcpConfig;
import org.jegress.api.config.ProxyConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.Uploader;
import org.jegress.api.storage.UploaderProvider;
import org.threeten.bp.Duration;

/**
 * The Google Cloud Storage provider ({@code egress-storage-gcs}): service-account JSON from the request or
 * {@code credentials_json}, else the application default credentials ({@code GOOGLE_APPLICATION_CREDENTIALS});
 * at a custom endpoint ({@code storage_endpoints.gcp}: an emulator) no credentials at all unless given. Retries as
 * upstream configures them: 5 attempts, 100 ms doubling to 5 s, whatever the error.
 */
public final class GcsStorage implements UploaderProvider {

    private static final String SCOPE = "https://www.googleapis.com/auth/devstorage.read_write";

    @Override
    public StorageTarget.Provider provider() {
        return StorageTarget.Provider.GCP;
    }

    @Override
    public void validate(StorageTarget target) {
        GcpConfig c = target.storage().gcp();
        if (!c.credentialsJson().isEmpty()) {
            try {
                parse(c.credentialsJson());
            } catch (IOException | RuntimeException e) {
                throw EgressException.invalidInput("credentials");
            }
        }
        proxy(c.proxyConfig());
    }

    @Override
    public Uploader create(StorageTarget target, Path outputDirectory) {
        GcpConfig c = target.storage().gcp();
        String endpoint = strip(target.apiEndpoint());
        StorageOptions.Builder b = StorageOptions.http()
                .setRetrySettings(com.google.api.gax.retrying.RetrySettings.newBuilder().setMaxAttempts(5)
                        .setInitialRetryDelay(Duration.ofMillis(100)).setRetryDelayMultiplier(2)
                        .setMaxRetryDelay(Duration.ofSeconds(5)).setTotalTimeout(Duration.ofMinutes(10)).build())
                .setStorageRetryStrategy(StorageRetryStrategy.getUniformStorageRetryStrategy());
        try {
            b.setCredentials(credentials(c, endpoint));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!endpoint.isEmpty()) {
            b.setHost(endpoint).setProjectId("egress");
        }
        Proxy proxy = proxy(c.proxyConfig());
        if (proxy != null) {
            b.setTransportOptions(HttpTransportOptions.newBuilder()
                    .setHttpTransportFactory(() -> new NetHttpTransport.Builder().setProxy(proxy).build()).build());
        }
        return new GcsUploader(b.build().getService(), c.bucket(), endpoint);
    }

    private static Credentials credentials(GcpConfig c, String endpoint) throws IOException {
        if (!c.credentialsJson().isEmpty()) {
            return parse(c.credentialsJson());
        }
        if (!endpoint.isEmpty()) {
            return NoCredentials.getInstance();
        }
        return GoogleCredentials.getApplicationDefault().createScoped(List.of(SCOPE));
    }

    private static GoogleCredentials parse(String json) throws IOException {
        return GoogleCredentials.fromStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)))
                .createScoped(List.of(SCOPE));
    }

    /**
     * The upload proxy ({@code proxy}); the Google HTTP transport takes no proxy credentials of its own, so a proxy
     * that wants them is reached with the JVM's default authenticator.
     */
    private static Proxy proxy(ProxyConfig p) {
        if (p == null || p.url().isEmpty()) {
            return null;
        }
        try {
            URI u = URI.create(p.url());
            if (u.getHost() == null) {
                throw EgressException.invalidInput("proxy");
            }
            return new Proxy(Proxy.Type.HTTP, new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 80 : u.getPort()));
        } catch (IllegalArgumentException e) {
            throw EgressException.invalidInput("proxy");
        }
    }

    private static String strip(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
