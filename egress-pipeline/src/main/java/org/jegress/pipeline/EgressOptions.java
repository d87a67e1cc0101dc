package org.jegress.pipeline;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;

/**
 * How an embedded egress runs. Immutable; start from {@link #defaults()} and adjust with the {@code with…} methods.
 *
 * @param config worker configuration (defaults plus LIVEKIT_* environment fallbacks)
 * @param outputDirectory where relative local output paths resolve (default: the working directory)
 * @param workRoot parent of the per-egress scratch directories (default: {@code $TMPDIR/jegress})
 * @param clock time source
 * @param zone zone for {@code {time}} in file names
 * @param eosTimeout how long a stop may take to flush every output before "pipeline frozen" (default 30 s)
 * @param startTimeout how long the pipeline may take to reach PLAYING (default 20 s)
 * @param sizeCheckInterval how often {@code file_output_max_size} is checked (default 15 s, as upstream)
 */
public record EgressOptions(EgressConfig config, Path outputDirectory, Path workRoot, Clock clock, ZoneId zone,
        Duration eosTimeout, Duration startTimeout, Duration sizeCheckInterval) {

    public EgressOptions {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(outputDirectory, "outputDirectory");
        Objects.requireNonNull(workRoot, "workRoot");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(eosTimeout, "eosTimeout");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(sizeCheckInterval, "sizeCheckInterval");
    }

    /** Defaults: config from the environment only, outputs relative to the working directory. */
    public static EgressOptions defaults() {
        return new EgressOptions(ConfigLoader.defaults(System.getenv()), Path.of("").toAbsolutePath(),
                Path.of(System.getProperty("java.io.tmpdir"), "jegress"), Clock.systemUTC(), ZoneId.systemDefault(),
                Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(15));
    }

    public EgressOptions withConfig(EgressConfig c) {
        return new EgressOptions(c, outputDirectory, workRoot, clock, zone, eosTimeout, startTimeout,
                sizeCheckInterval);
    }

    public EgressOptions withOutputDirectory(Path dir) {
        return new EgressOptions(config, dir.toAbsolutePath(), workRoot, clock, zone, eosTimeout, startTimeout,
                sizeCheckInterval);
    }

    public EgressOptions withWorkRoot(Path dir) {
        return new EgressOptions(config, outputDirectory, dir.toAbsolutePath(), clock, zone, eosTimeout,
                startTimeout, sizeCheckInterval);
    }

    public EgressOptions withClock(Clock c) {
        return new EgressOptions(config, outputDirectory, workRoot, c, zone, eosTimeout, startTimeout,
                sizeCheckInterval);
    }

    public EgressOptions withZone(ZoneId z) {
        return new EgressOptions(config, outputDirectory, workRoot, clock, z, eosTimeout, startTimeout,
                sizeCheckInterval);
    }

    public EgressOptions withEosTimeout(Duration d) {
        return new EgressOptions(config, outputDirectory, workRoot, clock, zone, d, startTimeout, sizeCheckInterval);
    }

    public EgressOptions withStartTimeout(Duration d) {
        return new EgressOptions(config, outputDirectory, workRoot, clock, zone, eosTimeout, d, sizeCheckInterval);
    }

    public EgressOptions withSizeCheckInterval(Duration d) {
        return new EgressOptions(config, outputDirectory, workRoot, clock, zone, eosTimeout, startTimeout, d);
    }
}
