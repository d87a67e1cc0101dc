/**
 * The uploader SPI: how finished outputs reach their storage. Implementations register a
 * {@link org.jegress.api.storage.UploaderProvider} with {@link java.util.ServiceLoader}.
 */
package org.jegress.api.storage;
