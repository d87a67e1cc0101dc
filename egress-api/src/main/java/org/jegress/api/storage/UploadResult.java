package org.jegress.api.storage;

/**
 * Outcome of one upload.
 *
 * @param location where the object can be found (a path for local disk, a URL otherwise)
 * @param size bytes stored
 */
public record UploadResult(String location, long size) {
}
