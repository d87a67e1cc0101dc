package org.jegress.api.plan;

/**
 * One file output.
 *
 * @param type container, never {@link OutputType#UNKNOWN_FILE} once planned (track egress resolves it from the codec)
 * @param storagePath the path the file is stored under, templates resolved; also {@code FileInfo.filename}
 * @param disableManifest skip the {@code <egress_id>.json} manifest next to this file
 * @param storage where the finished file goes
 */
public record FilePlan(OutputType type, String storagePath, boolean disableManifest, StorageTarget storage) {
}
