package org.jegress.server.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.json.RequestFiles;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.EncodedFileType;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.EgressIds;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.status.EndReason;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.sources.web.TemplateServer;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code egress run --type <type> <request.json>} runs one egress in this process; {@code egress demo} records the
 * bundled demo page into {@code out/}. Both show progress on stderr, stop cleanly (EOS, finalised files) on
 * SIGINT or SIGTERM and print the final EgressInfo as JSON on stdout.
 */
public final class Main {

    static final String USAGE = String.join("\n",
            "usage:",
            "  egress run --type <web|room-composite|participant|track-composite|track|egress> <request.json>",
            "             [--config config.yaml] [--output-dir DIR] [--duration SECONDS]",
            "  egress demo [--duration SECONDS] [--output-dir DIR]",
            "  egress server [--config config.yaml]",
            "",
            "Request files use the proto3 JSON mapping (snake_case or lowerCamel), as `lk egress start` reads them.",
            "Config: --config, else EGRESS_CONFIG_BODY, else EGRESS_CONFIG_FILE; none means defaults.");

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    Main(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        int code = new Main(System.out, System.err, System.getenv()).execute(args);
        System.exit(code);
    }

    int execute(String[] args) {
        Deque<String> a = new ArrayDeque<>(List.of(args));
        String command = a.isEmpty() ? "" : a.removeFirst();
        try {
            switch (command) {
                case "run":
                    return run(a);
                case "demo":
                    return demo(a);
                case "server":
                    return server(a);
                case "-h":
                case "--help":
                case "help":
                    out.println(USAGE);
                    return 0;
                default:
                    err.println(command.isEmpty() ? USAGE : "unknown command \"" + command + "\"\n" + USAGE);
                    return 2;
            }
        } catch (UsageException e) {
            err.println("egress: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (EgressException e) {
            err.println("egress: " + e.getMessage() + " (" + e.code().wire() + ")");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    // ------------------------------------------------------------------------------------------- run

    private int run(Deque<String> a) throws InterruptedException {
        Flags f = Flags.parse(a, List.of("--type", "--config", "--output-dir", "--duration"));
        if (f.positional.size() != 1) {
            throw new UsageException("run needs exactly one request file");
        }
        String typeName = f.value("--type");
        if (typeName == null) {
            throw new UsageException("run needs --type");
        }
        RequestFiles.Type type;
        try {
            type = RequestFiles.Type.parse(typeName);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Path requestFile = Path.of(f.positional.get(0));
        String json = read(requestFile);
        StartEgressRequest request = RequestFiles.parse(type, json, EgressIds.newEgressId());
        EgressOptions options = options(f.value("--config"), f.value("--output-dir"));
        try (TemplateServer templates = templatesFor(request, options)) {
            EgressHandle handle = Egress.start(request, options);
            return supervise(handle, duration(f.value("--duration")));
        }
    }

    /**
     * A room composite run on its own serves the built-in templates on {@code template_port}, as the worker does
     * (null when the port is off or taken, e.g. by a worker on this host serving the same templates).
     */
    private TemplateServer templatesFor(StartEgressRequest request, EgressOptions options) {
        int port = options.config().templatePort();
        boolean template = request.hasRoomComposite() || (request.hasEgress() && request.getEgress().hasTemplate());
        if (!template || port <= 0) {
            return null;
        }
        try {
            return TemplateServer.start(port);
        } catch (IOException e) {
            err.println("egress: template server: port " + port + ": " + e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------- demo

    private int demo(Deque<String> a) throws InterruptedException {
        Flags f = Flags.parse(a, List.of("--duration", "--output-dir"));
        Duration d = duration(f.value("--duration") == null ? "5" : f.value("--duration"));
        String dir = f.value("--output-dir") == null ? "out" : f.value("--output-dir");
        try (TemplateServer pages = TemplateServer.start(0)) {
            WebEgressRequest req = WebEgressRequest.newBuilder()
                    .setUrl(pages.baseUrl() + "demo/")
                    .addFileOutputs(EncodedFileOutput.newBuilder()
                            .setFileType(EncodedFileType.MP4)
                            .setFilepath("demo-{time}.mp4"))
                    .build();
            err.println("egress demo: recording " + req.getUrl() + " for " + d.toSeconds() + " s into " + dir + "/");
            EgressHandle handle = Egress.start(req, options(null, dir));
            int code = supervise(handle, d);
            EgressInfo info = handle.info();
            if (info.getStatus() == EgressStatus.EGRESS_COMPLETE && info.getFileResultsCount() > 0) {
                err.println("egress demo: wrote " + info.getFileResults(0).getLocation());
                err.println("egress demo: manifest " + info.getManifestLocation());
            }
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------- server

    /**
     * The Redis-attached worker. SIGTERM (and SIGQUIT where the JVM lets us have it) drains: no new work, running
     * egresses finish, updates are flushed. SIGINT stops every egress cleanly ("Process killed") and exits.
     */
    private int server(Deque<String> a) throws InterruptedException {
        Flags f = Flags.parse(a, List.of("--config"));
        String yaml = ConfigLoader.resolveSource(env, f.value("--config"), Main::read);
        if (yaml.isBlank()) {
            // Upstream refuses to run a worker without one: it must at least name the Redis of livekit-server.
            throw new UsageException("missing config");
        }
        EgressConfig config = ConfigLoader.parse(yaml, env);
        for (String w : config.warnings()) {
            err.println("egress: config: " + w);
        }
        LogLevel.apply(config);
        WorkerProcess worker = WorkerProcess.start(config, yaml);
        CountDownLatch done = new CountDownLatch(1);
        worker.closed().thenRun(done::countDown);
        SignalHandler drain = sig -> new Thread(() -> {
            err.println("egress: SIG" + sig.getName() + ", draining");
            worker.drain();
            done.countDown();
        }, "drain").start();
        SignalHandler stopAll = sig -> new Thread(() -> {
            err.println("egress: SIG" + sig.getName() + ", stopping every egress");
            worker.stopAll();
            done.countDown();
        }, "stop-all").start();
        Signal.handle(new Signal("TERM"), drain);
        try {
            Signal.handle(new Signal("QUIT"), drain);
        } catch (IllegalArgumentException e) {
            // The JVM keeps SIGQUIT for thread dumps unless started with -Xrs.
        }
        Signal.handle(new Signal("INT"), stopAll);
        done.await();
        return 0;
    }

    // ------------------------------------------------------------------------------------------- common

    private EgressOptions options(String configPath, String outputDir) {
        String yaml = ConfigLoader.resolveSource(env, configPath, Main::read);
        EgressConfig config = ConfigLoader.parse(yaml, env);
        for (String w : config.warnings()) {
            err.println("egress: config: " + w);
        }
        EgressOptions o = EgressOptions.defaults().withConfig(config);
        if (outputDir != null) {
            o = o.withOutputDirectory(Path.of(outputDir));
        }
        return o;
    }

    /**
     * Shows progress until the egress ends; stops it on SIGINT/SIGTERM (a second signal exits at once) or after
     * {@code limit}. Prints the final EgressInfo as JSON.
     */
    private int supervise(EgressHandle handle, Duration limit) throws InterruptedException {
        AtomicInteger signals = new AtomicInteger();
        SignalHandler onSignal = sig -> {
            if (signals.incrementAndGet() > 1) {
                err.println("\negress: second signal, exiting without waiting");
                Runtime.getRuntime().halt(130);
            }
            err.println("\negress: SIG" + sig.getName() + ", stopping (finalising outputs)");
            handle.stop(EndReason.KILLED);
        };
        Signal.handle(new Signal("INT"), onSignal);
        Signal.handle(new Signal("TERM"), onSignal);

        if (limit != null) {
            // Count the duration from ACTIVE, so it is the length of the recording, not of the page start-up.
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "duration-limit");
                t.setDaemon(true);
                return t;
            });
            handle.addListener(info -> {
                if (info.getStatus() == EgressStatus.EGRESS_ACTIVE) {
                    timer.schedule(() -> handle.stop(), limit.toMillis(), TimeUnit.MILLISECONDS);
                }
            });
        }
        long start = System.nanoTime();
        while (handle.awaitCompletion(Duration.ofSeconds(1)).isEmpty()) {
            err.println(progress(handle, handle.info(), System.nanoTime() - start));
        }
        EgressInfo last = handle.info();
        out.println(RequestFiles.print(last));
        err.println("egress: " + last.getStatus() + (last.getError().isEmpty() ? "" : ": " + last.getError()));
        return last.getStatus() == EgressStatus.EGRESS_COMPLETE ? 0 : 1;
    }

    static String progress(EgressHandle handle, EgressInfo info, long elapsedNs) {
        long s = elapsedNs / 1_000_000_000L;
        return String.format(Locale.ROOT, "%s  %-20s %02d:%02d  %s", handle.egressId(), info.getStatus(), s / 60,
                s % 60, humanBytes(handle.bytesWritten()));
    }

    static String humanBytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }

    private static Duration duration(String seconds) {
        if (seconds == null) {
            return null;
        }
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(seconds) * 1000));
        } catch (NumberFormatException e) {
            throw new UsageException("--duration takes seconds, got \"" + seconds + "\"");
        }
    }

    private static String read(String path) {
        return read(Path.of(path));
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("cannot read " + path + ": " + e.getMessage());
        }
    }

    /** Bad command line. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
