package org.jegress.storage.azure;

import java.nio.file.Path;
import java.time.Duration;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import org.jegress.api.config.AzureConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.storage.Uploader;
import org.jegress.api.storage.UploaderProvider;

/**
 * The Azure Blob provider ({@code egress-storage-azure}): shared-key credentials from the request or config, else
 * {@code AZURE_STORAGE_ACCOUNT} / {@code AZURE_STORAGE_KEY}; the public endpoint of the account unless
 * {@code storage_endpoints.azure} names another (Azurite, sovereign clouds); exponential retries like the other
 * providers (5 tries, 100 ms to 5 s).
 */
public final class AzureStorage implements UploaderProvider {

    static final String ENV_ACCOUNT = "AZURE_STORAGE_ACCOUNT";
    static final String ENV_KEY = "AZURE_STORAGE_KEY";

    @Override
    public StorageTarget.Provider provider() {
        return StorageTarget.Provider.AZURE;
    }

    @Override
    public void validate(StorageTarget target) {
        AzureConfig c = target.storage().azure();
        if (account(c).isEmpty()) {
            throw EgressException.invalidInput("account_name");
        }
        try {
            if (java.util.Base64.getDecoder().decode(key(c)).length == 0) {
                throw EgressException.invalidInput("account_key");
            }
        } catch (IllegalArgumentException e) {
            // shared keys are base64: anything else would only fail when the first request is signed
            throw EgressException.invalidInput("account_key");
        }
    }

    @Override
    public Uploader create(StorageTarget target, Path outputDirectory) {
        AzureConfig c = target.storage().azure();
        String account = account(c);
        var service = new BlobServiceClientBuilder().endpoint(endpoint(target.apiEndpoint(), account))
                .credential(new StorageSharedKeyCredential(account, key(c)))
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 5, Duration.ofMinutes(5),
                        Duration.ofMillis(100), Duration.ofSeconds(5), null))
                .buildClient();
        return new AzureUploader(service.getBlobContainerClient(c.containerName()));
    }

    /** The account's blob service: the public one, or {@code storage_endpoints.azure} ({@code {account}} filled). */
    static String endpoint(String configured, String account) {
        if (configured == null || configured.isEmpty()) {
            return "https://" + account + ".blob.core.windows.net";
        }
        String e = configured.replace("{account}", account);
        return e.endsWith("/") ? e.substring(0, e.length() - 1) : e;
    }

    private static String account(AzureConfig c) {
        return c.accountName().isEmpty() ? System.getenv().getOrDefault(ENV_ACCOUNT, "") : c.accountName();
    }

    private static String key(AzureConfig c) {
        return c.accountKey().isEmpty() ? System.getenv().getOrDefault(ENV_KEY, "") : c.accountKey();
    }
}
