package org.jegress.server.handler;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.status.EndReason;
import org.jegress.server.handler.ipc.DotRequest;
import org.jegress.server.handler.ipc.HandlerCommand;
import org.jegress.server.handler.ipc.HandlerEvent;
import org.jegress.server.handler.ipc.Reply;
import org.jegress.server.handler.ipc.Start;
import org.jegress.server.handler.ipc.Stop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of one handler child process, which runs one egress (dedicated) or several light ones (shared);
 * each egress in it is a {@link Slot}. A crash of the child (SIGKILL, a native crash in GStreamer or Chromium) ends
 * only the egresses it hosts: {@link #exit()} completes with a description of how it died and the worker reports
 * each of them FAILED; the crash-safe outputs the child wrote stay on disk.
 */
public final class HandlerProcess {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerProcess.class);

    /**
     * How to start handler JVMs: java binary, JVM options, class path, and where to keep a class-data-sharing
     * archive of the classes a handler loads. The first handler records the archive when it exits; later ones map
     * it, which cuts their start-up (measured: 300 ms to ready without, 170-220 ms with) and shares the class
     * metadata pages between handlers.
     */
    public static final class Launcher {
        private final String javaBinary;
        private final List<String> jvmOptions;
        private final String classPath;
        private final Path cdsArchive;
        private final AtomicBoolean recording = new AtomicBoolean();

        /**
         * @param cdsArchive where the archive lives; null disables class-data sharing
         */
        public Launcher(String javaBinary, List<String> jvmOptions, String classPath, Path cdsArchive) {
            this.javaBinary = javaBinary;
            this.jvmOptions = List.copyOf(jvmOptions);
            this.classPath = classPath;
            this.cdsArchive = cdsArchive;
        }

        /** The running JVM's java and class path; the CDS archive goes to the temp directory, keyed by both. */
        public static Launcher fromCurrentJvm(List<String> jvmOptions) {
            String cp = System.getProperty("java.class.path");
            String key = Integer.toHexString((cp + System.getProperty("java.vm.version")).hashCode());
            // CDS archives only jars: a class path with directories (a development build) cannot be archived
            boolean jarsOnly = java.util.Arrays.stream(cp.split(java.io.File.pathSeparator))
                    .noneMatch(e -> Files.isDirectory(Path.of(e)));
            return new Launcher(Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvmOptions, cp,
                    jarsOnly ? Path.of(System.getProperty("java.io.tmpdir"), "jegress", "cds", "handler-" + key + ".jsa")
                            : null);
        }

        /**
         * {@code GST_DEBUG} for a handler, from the {@code logging.level} its JVM options carry, as upstream sets it
         * (debug 3, info and warn 2, error 1, plus {@code rtmpclient:4,srtlib:1}), unless the environment sets it.
         */
        void gstDebug(Map<String, String> env) {
            if (env.containsKey("GST_DEBUG")) {
                return;
            }
            String level = jvmOptions.stream().filter(o -> o.startsWith(LOG_LEVEL_OPTION))
                    .map(o -> o.substring(LOG_LEVEL_OPTION.length())).reduce((a, b) -> b).orElse("info");
            String base = switch (level) {
                case "debug" -> "3";
                case "error" -> "1";
                default -> "2";
            };
            env.put("GST_DEBUG", base + ",rtmpclient:4,srtlib:1");
            env.putIfAbsent("GST_DEBUG_NO_COLOR", "1"); // log files, not terminals
        }

        private static final String LOG_LEVEL_OPTION = "-Dorg.slf4j.simpleLogger.defaultLogLevel=";

        /** The command for one handler, and what to do with its CDS recording once it exits. */
        List<String> command(List<Runnable> onExit) {
            List<String> cmd = new ArrayList<>(List.of("setsid", javaBinary));
            // stdout carries the handler's events: the JVM's own warnings and crash reports (by default on stdout) go
            // to stderr
            cmd.addAll(List.of("-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:+DisplayVMOutputToStderr"));
            cmd.addAll(jvmOptions);
            if (cdsArchive != null) {
                if (Files.isRegularFile(cdsArchive)) {
                    cmd.add("-XX:SharedArchiveFile=" + cdsArchive);
                } else if (recording.compareAndSet(false, true)) {
                    // One handler records at a time, into a private file moved into place only when complete.
                    Path partial = cdsArchive.resolveSibling(cdsArchive.getFileName() + "." + ProcessHandle.current()
                            .pid() + "." + System.nanoTime());
                    try {
                        Files.createDirectories(cdsArchive.getParent());
                        cmd.add("-XX:ArchiveClassesAtExit=" + partial);
                        onExit.add(() -> {
                            try {
                                if (Files.size(partial) > 0) {
                                    Files.move(partial, cdsArchive,
                                            StandardCopyOption.ATOMIC_MOVE);
                                }
                            } catch (IOException e) {
                                LOG.debug("no CDS archive recorded: {}", e.toString());
                            } finally {
                                recording.set(false);
                            }
                        });
                    } catch (IOException e) {
                        recording.set(false);
                    }
                }
            }
            cmd.addAll(List.of("-cp", classPath, HandlerMain.class.getName()));
            return cmd;
        }
    }

    private final String name;
    private final Process process;
    private final OutputStream commands;
    private final CompletableFuture<String> exit = new CompletableFuture<>();
    private final CompletableFuture<Void> eventsRead = new CompletableFuture<>();
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Reply>> replies = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private volatile boolean shared;

    /**
     * One egress in a handler process: its start-up, its events, its final state, the commands for it. The process
     * may host others (a shared handler); {@link #exit()} is the process's.
     */
    public final class Slot {
        private final String egressId;
        private final CompletableFuture<Long> ready = new CompletableFuture<>();
        private final CompletableFuture<EgressInfo> finished = new CompletableFuture<>();
        private volatile Consumer<EgressInfo> onUpdate = info -> { };
        private volatile Consumer<org.jegress.server.handler.ipc.UploadStat> onUpload = stat -> { };

        private Slot(String egressId) {
            this.egressId = egressId;
        }

        public String egressId() {
            return egressId;
        }

        /** The process this egress runs in. */
        public HandlerProcess process() {
            return HandlerProcess.this;
        }

        public long pid() {
            return process.pid();
        }

        /** Completes with the start-up time in ms once the egress runs; exceptionally if it could not start. */
        public CompletableFuture<Long> ready() {
            return ready;
        }

        /** Every non-final EgressInfo the egress publishes. */
        public void onUpdate(Consumer<EgressInfo> listener) {
            this.onUpdate = listener;
        }

        /** Every upload the egress makes (for the upload metrics). */
        public void onUpload(Consumer<org.jegress.server.handler.ipc.UploadStat> listener) {
            this.onUpload = listener;
        }

        /** The final EgressInfo; never completes if the process died before reporting one (see {@link #exit()}). */
        public CompletableFuture<EgressInfo> finished() {
            return finished;
        }

        /**
         * Completes when the egress is over: with null once its final state arrived, or with how the process died
         * ("signal: killed"-style text, as Go reports) if it died first.
         */
        public CompletableFuture<String> ended() {
            return finished.thenApply(i -> (String) null).applyToEither(exit, x -> x);
        }

        /** Asks the egress to stop; completes with its EgressInfo right after the stop (ENDING or ABORTED). */
        public CompletableFuture<EgressInfo> stop(EndReason reason) {
            return request(HandlerCommand.newBuilder().setStop(Stop.newBuilder().setReason(reason.name())))
                    .thenApply(Reply::getInfo);
        }

        /** The egress's live pipeline as DOT. */
        public CompletableFuture<String> dot() {
            return request(HandlerCommand.newBuilder().setDot(DotRequest.getDefaultInstance()))
                    .thenApply(Reply::getDot);
        }

        /** Forwards a request and turns an error reply into an exceptional completion with its psrpc code. */
        public CompletableFuture<Reply> request(HandlerCommand.Builder command) {
            return HandlerProcess.this.request(command.setEgressId(egressId));
        }

        /**
         * Ends the egress at once, for egresses that ignore a stop or must go now: SIGKILL of a dedicated process; in
         * a shared one (whose other egresses must go on) a stop, since its egresses cannot be killed one by one.
         */
        public void kill() {
            if (shared) {
                stop(EndReason.FAILURE);
            } else {
                process.destroyForcibly();
            }
        }
    }

    private HandlerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.commands = new BufferedOutputStream(process.getOutputStream());
        Thread reader = new Thread(this::readEvents, "handler-events-" + name);
        reader.setDaemon(true);
        reader.start();
        // gone = exited and its last events read (a FINISHED still in the pipe must not count as a crash)
        process.onExit().thenCompose(p -> eventsRead.copy().completeOnTimeout(null, 2, TimeUnit.SECONDS)
                .thenApply(x -> p)).thenAccept(p -> {
            String how = describeExit(p.exitValue());
            exit.complete(how);
            slots.values().forEach(slot -> slot.ready.completeExceptionally(
                    EgressException.internal("handler exited before it was ready: " + how, null)));
            replies.values().forEach(f -> f.completeExceptionally(
                    new EgressException(ErrorCode.UNAVAILABLE, "handler exited: " + how)));
        });
    }

    /**
     * Starts a dedicated handler for one egress in its own session (so a terminal's Ctrl-C reaches only the worker,
     * which then stops its egresses cleanly).
     *
     * @param request what livekit-server asked for
     * @param initial the EgressInfo the worker returns for it (STARTING)
     * @param configYaml the worker's configuration, passed on verbatim
     * @return the egress's slot in the new process
     */
    public static Slot launch(Launcher launcher, StartEgressRequest request, EgressInfo initial, String configYaml) {
        List<Runnable> onExit = new ArrayList<>();
        ProcessBuilder pb = new ProcessBuilder(launcher.command(onExit));
        Map<String, String> env = pb.environment();
        env.put(HandlerMain.ENV_REQUEST, Base64.getEncoder().encodeToString(request.toByteArray()));
        env.put(HandlerMain.ENV_INFO, Base64.getEncoder().encodeToString(initial.toByteArray()));
        env.put(HandlerMain.ENV_CONFIG, configYaml);
        launcher.gstDebug(env);
        // Handler logs go where the worker's go (every line names its egress), as the Go handlers' do.
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            LOG.info("{}: handler started (pid {})", request.getEgressId(), p.pid());
            HandlerProcess h = new HandlerProcess(request.getEgressId(), p);
            h.exit().thenRun(() -> onExit.forEach(Runnable::run));
            return h.slot(request.getEgressId());
        } catch (IOException e) {
            throw EgressException.processFailed("handler", e.getMessage());
        }
    }

    /**
     * Starts a spare handler: a JVM that loads its classes and initialises GStreamer now, and (with
     * {@code warmBrowser}, unless the environment turns it off) starts a browser for the default size with the
     * worker's config, then waits for the egress {@link #assign} hands it. Dies with the worker (its stdin closes).
     */
    public static HandlerProcess spare(Launcher launcher, String configYaml, boolean warmBrowser) {
        List<Runnable> onExit = new ArrayList<>();
        ProcessBuilder pb = new ProcessBuilder(launcher.command(onExit));
        pb.environment().put(HandlerMain.ENV_SPARE, "1");
        if (!warmBrowser) {
            pb.environment().put(HandlerMain.ENV_WARM_BROWSER, "false");
        }
        pb.environment().put(HandlerMain.ENV_CONFIG, configYaml);
        launcher.gstDebug(pb.environment());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            LOG.debug("spare handler started (pid {})", p.pid());
            HandlerProcess h = new HandlerProcess("handler-" + p.pid(), p);
            h.exit().thenRun(() -> onExit.forEach(Runnable::run));
            return h;
        } catch (IOException e) {
            throw EgressException.processFailed("handler", e.getMessage());
        }
    }

    private Slot slot(String egressId) {
        return slots.computeIfAbsent(egressId, Slot::new);
    }

    /**
     * Hands a spare (or a shared) handler an egress: the inputs {@link #launch} passes through the environment.
     *
     * @param shared the process hosts several egresses: it stays up after this one, until {@link #release}; the
     *     first assignment decides
     */
    public Slot assign(StartEgressRequest request, EgressInfo initial, String configYaml, boolean shared) {
        String id = request.getEgressId();
        if (slots.isEmpty()) {
            this.shared = shared;
        } else if (!this.shared) {
            throw new IllegalStateException("a dedicated handler runs one egress");
        }
        Slot slot = slot(id);
        try {
            synchronized (commands) {
                HandlerCommand.newBuilder().setEgressId(id).setStart(Start.newBuilder()
                        .setRequest(request.toByteString())
                        .setInfo(initial.toByteString())
                        .setConfigYaml(configYaml)
                        .setShared(this.shared)).build().writeDelimitedTo(commands);
                commands.flush();
            }
            LOG.info("{}: handed to {} handler (pid {})", id, this.shared ? "shared" : "spare", process.pid());
        } catch (IOException e) {
            slots.remove(id);
            throw EgressException.processFailed("handler", "handler gone: " + e.getMessage());
        }
        slot.finished.whenComplete((i, t) -> slots.remove(id));
        return slot;
    }

    /** Whether this process hosts several egresses. */
    public boolean isShared() {
        return shared;
    }

    /** Egresses in this process that have not reported their final state. */
    public int hosted() {
        return (int) slots.values().stream().filter(sl -> !sl.finished.isDone()).count();
    }

    /** Lets a shared handler go: closes its stdin, so it exits once its egresses (normally none) have ended. */
    public void release() {
        try {
            synchronized (commands) {
                commands.close();
            }
        } catch (IOException e) {
            LOG.debug("{}: closing handler stdin: {}", name, e.toString());
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Completes when the process is gone, with "exit status N" or "signal: killed"-style text (as Go reports). */
    public CompletableFuture<String> exit() {
        return exit;
    }

    private CompletableFuture<Reply> request(HandlerCommand.Builder command) {
        long id = nextId.getAndIncrement();
        CompletableFuture<Reply> f = new CompletableFuture<>();
        replies.put(id, f);
        try {
            synchronized (commands) {
                command.setId(id).build().writeDelimitedTo(commands);
                commands.flush();
            }
        } catch (IOException e) {
            replies.remove(id);
            f.completeExceptionally(new EgressException(ErrorCode.UNAVAILABLE, "handler unreachable: " + e));
        }
        return f.thenApply(r -> {
            if (!r.getError().isEmpty()) {
                throw new EgressException(ErrorCode.fromWire(r.getCode()), r.getError());
            }
            return r;
        });
    }

    /** SIGKILL of the whole process (every egress in it). */
    public void kill() {
        process.destroyForcibly();
    }

    private void readEvents() {
        InputStream in = new BufferedInputStream(process.getInputStream());
        try {
            for (HandlerEvent e; (e = HandlerEvent.parseDelimitedFrom(in)) != null; ) {
                if (e.getEventCase() == HandlerEvent.EventCase.REPLY) {
                    CompletableFuture<Reply> f = replies.remove(e.getReply().getId());
                    if (f != null) {
                        f.complete(e.getReply());
                    }
                    continue;
                }
                Slot slot = slots.get(e.getEgressId());
                if (slot == null) {
                    LOG.debug("{}: event for an egress it does not host: {}", name, e.getEgressId());
                    continue;
                }
                switch (e.getEventCase()) {
                    case READY:
                        if (e.getReady().getError().isEmpty()) {
                            slot.ready.complete(e.getReady().getStartupMs());
                        } else {
                            slot.ready.completeExceptionally(EgressException.internal(e.getReady().getError(), null));
                            slots.remove(slot.egressId);
                        }
                        break;
                    case UPDATE:
                        slot.onUpdate.accept(e.getUpdate());
                        break;
                    case FINISHED:
                        slot.finished.complete(e.getFinished());
                        break;
                    case UPLOAD:
                        slot.onUpload.accept(e.getUpload());
                        break;
                    default:
                        break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the event stream is the handler's stdout: something native printed into it
            String rest;
            try {
                byte[] b = in.readNBytes(256);
                rest = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
            } catch (IOException ignored) {
                rest = "";
            }
            LOG.warn("{}: handler events: {} (then: {})", name, e.toString(), rest);
        } finally {
            eventsRead.complete(null);
        }
    }

    /** Java reports death by signal N as exit value 128 + N; render both like Go's exec error strings. */
    static String describeExit(int status) {
        if (status > 128 && status < 160) {
            int sig = status - 128;
            switch (sig) {
                case 9:
                    return "signal: killed";
                case 15:
                    return "signal: terminated";
                case 6:
                    return "signal: aborted";
                case 11:
                    return "signal: segmentation fault";
                case 2:
                    return "signal: interrupt";
                default:
                    return "signal: " + sig;
            }
        }
        return "exit status " + status;
    }
}
