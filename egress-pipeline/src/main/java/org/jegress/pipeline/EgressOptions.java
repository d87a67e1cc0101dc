package org.jegress.pipeline;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.plan.StreamIngests;
import org.jegress.api.time.Scheduler;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.SourceProvider;

/**
 * How an embedded egress runs. Immutable; start from {@link #defaults()} and adjust with the {@code with…} methods.
 *
 * <ul>
 * <li>{@code config}: worker configuration (defaults plus LIVEKIT_* environment fallbacks)</li>
 * <li>{@code outputDirectory}: where relative local output paths resolve (default: the working directory)</li>
 * <li>{@code workRoot}: parent of the per-egress scratch directories (default: {@code $TMPDIR/jegress})</li>
 * <li>{@code clock}, {@code zone}: time source, and the zone of {@code {time}} in file names</li>
 * <li>{@code eosTimeout}: how long a stop may take to flush every output before "pipeline frozen" (default 30 s)</li>
 * <li>{@code startTimeout}: how long the pipeline may take to reach PLAYING (default 20 s)</li>
 * <li>{@code sizeCheckInterval}: how often {@code file_output_max_size} is checked (default 15 s, as upstream)</li>
 * <li>{@code scheduler}: timers of the egress; null (default) for a thread of its own on {@code clock}</li>
 * <li>{@code sinkProviders}: output sinks handed in, asked before those found with ServiceLoader (custom
 * sinks)</li>
 * <li>{@code sourceProvider}: a source handed in, used instead of the ones found with ServiceLoader</li>
 * <li>{@code ingests}: where {@code twitch://} stream URLs resolve (default: Twitch's ingest list)</li>
 * <li>{@code uploadObserver}: told about every upload (the worker's upload metrics); default: nobody</li>
 * <li>{@code journalDirectory}: where pending uploads are recorded ({@link UploadJournal}); default:
 * {@code <workRoot>/upload-journal}</li>
 * </ul>
 */
public final class EgressOptions {

    /** The fields, copied for every {@code with…}. */
    private static final class Fields implements Cloneable {
        EgressConfig config;
        Path outputDirectory;
        Path workRoot;
        Clock clock;
        ZoneId zone;
        Duration eosTimeout;
        Duration startTimeout;
        Duration sizeCheckInterval;
        Scheduler scheduler;
        List<OutputSinkProvider> sinkProviders;
        SourceProvider sourceProvider;
        StreamIngests ingests;
        UploadObserver uploadObserver;
        Path journalDirectory;

        @Override
        protected Fields clone() {
            try {
                return (Fields) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final Fields f;

    private EgressOptions(Fields f) {
        Objects.requireNonNull(f.config, "config");
        Objects.requireNonNull(f.outputDirectory, "outputDirectory");
        Objects.requireNonNull(f.workRoot, "workRoot");
        Objects.requireNonNull(f.clock, "clock");
        Objects.requireNonNull(f.zone, "zone");
        Objects.requireNonNull(f.eosTimeout, "eosTimeout");
        Objects.requireNonNull(f.startTimeout, "startTimeout");
        Objects.requireNonNull(f.sizeCheckInterval, "sizeCheckInterval");
        Objects.requireNonNull(f.ingests, "ingests");
        Objects.requireNonNull(f.uploadObserver, "uploadObserver");
        f.sinkProviders = List.copyOf(f.sinkProviders);
        this.f = f;
    }

    /** Defaults: config from the environment only, outputs relative to the working directory. */
    public static EgressOptions defaults() {
        Fields f = new Fields();
        f.config = ConfigLoader.defaults(System.getenv());
        f.outputDirectory = Path.of("").toAbsolutePath();
        f.workRoot = Path.of(System.getProperty("java.io.tmpdir"), "jegress");
        f.clock = Clock.systemUTC();
        f.zone = ZoneId.systemDefault();
        f.eosTimeout = Duration.ofSeconds(30);
        f.startTimeout = Duration.ofSeconds(20);
        f.sizeCheckInterval = Duration.ofSeconds(15);
        f.sinkProviders = List.of();
        f.ingests = new TwitchIngests();
        f.uploadObserver = UploadObserver.NONE;
        return new EgressOptions(f);
    }

    private EgressOptions with(Consumer<Fields> change) {
        Fields copy = f.clone();
        change.accept(copy);
        return new EgressOptions(copy);
    }

    public EgressConfig config() {
        return f.config;
    }

    public Path outputDirectory() {
        return f.outputDirectory;
    }

    public Path workRoot() {
        return f.workRoot;
    }

    public Clock clock() {
        return f.clock;
    }

    public ZoneId zone() {
        return f.zone;
    }

    public Duration eosTimeout() {
        return f.eosTimeout;
    }

    public Duration startTimeout() {
        return f.startTimeout;
    }

    public Duration sizeCheckInterval() {
        return f.sizeCheckInterval;
    }

    /** The scheduler handed in, or null for one of the egress's own. */
    public Scheduler scheduler() {
        return f.scheduler;
    }

    public List<OutputSinkProvider> sinkProviders() {
        return f.sinkProviders;
    }

    /** The source handed in, or null to find one with ServiceLoader. */
    public SourceProvider sourceProvider() {
        return f.sourceProvider;
    }

    public StreamIngests ingests() {
        return f.ingests;
    }

    public UploadObserver uploadObserver() {
        return f.uploadObserver;
    }

    /** Where pending uploads are recorded: as set, else {@code upload-journal} under the work root. */
    public Path journalDirectory() {
        return f.journalDirectory != null ? f.journalDirectory : f.workRoot.resolve("upload-journal");
    }

    public EgressOptions withConfig(EgressConfig c) {
        return with(x -> x.config = c);
    }

    public EgressOptions withOutputDirectory(Path dir) {
        return with(x -> x.outputDirectory = dir.toAbsolutePath());
    }

    public EgressOptions withWorkRoot(Path dir) {
        return with(x -> x.workRoot = dir.toAbsolutePath());
    }

    public EgressOptions withClock(Clock c) {
        return with(x -> x.clock = c);
    }

    public EgressOptions withZone(ZoneId z) {
        return with(x -> x.zone = z);
    }

    public EgressOptions withEosTimeout(Duration d) {
        return with(x -> x.eosTimeout = d);
    }

    public EgressOptions withStartTimeout(Duration d) {
        return with(x -> x.startTimeout = d);
    }

    public EgressOptions withSizeCheckInterval(Duration d) {
        return with(x -> x.sizeCheckInterval = d);
    }

    /** Runs the egress's timers on {@code s} (and takes its clock), e.g. a {@code ManualScheduler} in tests. */
    public EgressOptions withScheduler(Scheduler s) {
        return with(x -> {
            x.scheduler = s;
            x.clock = s.clock();
        });
    }

    /** Adds an output sink provider, asked before the ones on the class path (a custom sink). */
    public EgressOptions withOutputSinkProvider(OutputSinkProvider p) {
        return with(x -> {
            List<OutputSinkProvider> all = new ArrayList<>(x.sinkProviders);
            all.add(p);
            x.sinkProviders = all;
        });
    }

    /** Records from {@code p} instead of the sources found on the class path (a custom or test source). */
    public EgressOptions withSourceProvider(SourceProvider p) {
        return with(x -> x.sourceProvider = p);
    }

    public EgressOptions withIngests(StreamIngests i) {
        return with(x -> x.ingests = i);
    }

    public EgressOptions withUploadObserver(UploadObserver o) {
        return with(x -> x.uploadObserver = o);
    }

    public EgressOptions withJournalDirectory(Path dir) {
        return with(x -> x.journalDirectory = dir.toAbsolutePath());
    }
}
