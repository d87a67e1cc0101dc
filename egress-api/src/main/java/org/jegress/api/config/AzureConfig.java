package org.jegress.api.config;

/**
 * Azure Blob upload target ({@code azure:}).
 *
 * @param accountName   storage account; empty lets the SDK use {@code AZURE_STORAGE_ACCOUNT}
 * @param accountKey    account key; empty lets the SDK use {@code AZURE_STORAGE_KEY}; never printed
 * @param containerName destination container
 */
public record AzureConfig(String accountName, String accountKey, String containerName) {
    @Override
    public String toString() {
        return "AzureConfig" + ConfigMaps.toMap(this, true);
    }
}
