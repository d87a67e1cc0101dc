package org.jegress.api.config;

/**
 * Diagnostics ({@code debug:}). The upload keys ({@code prefix}, {@code s3}, {@code gcp}, ...) sit directly in the
 * {@code debug:} block, as upstream inlines them, and say where debug artefacts are uploaded.
 *
 * @param enableProfiling     write a pipeline dot file and pprof-style profiles on internal errors
 * @param enableTrackLogging  log packets and keyframes of every subscribed track
 * @param enableStreamLogging log bytes and keyframes of every stream output
 * @param enableChromeLogging log every Chrome console event
 * @param storage             upload target for debug artefacts; never {@code null}, {@link StorageConfig#isLocal()}
 *                            when none is set
 */
public record DebugConfig(
        boolean enableProfiling,
        boolean enableTrackLogging,
        boolean enableStreamLogging,
        boolean enableChromeLogging,
        StorageConfig storage) {
}
