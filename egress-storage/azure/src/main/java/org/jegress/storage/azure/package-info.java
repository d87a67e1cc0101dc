/** Azure Blob storage for finished outputs. */
package org.jegress.storage.azure;
