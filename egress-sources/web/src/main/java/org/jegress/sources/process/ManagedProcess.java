package org.jegress.sources.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jegress.api.error.EgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A helper process that dies with the JVM that started it, even after {@code kill -9}.
 *
 * <p>The command runs under a small {@code /bin/sh} watchdog: the program gets its own session (so a Ctrl-C in the
 * terminal reaches only the JVM, which then stops the recording cleanly) and the watchdog blocks reading the pipe
 * connected to the JVM. When that pipe closes, because {@link #close()} closed it or because the JVM died, the
 * watchdog sends SIGTERM to the program's whole process group and SIGKILL three seconds later.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);

    /**
     * $0 is a label, "$@" the command. fd 3 keeps the JVM pipe for the watchdog, because asynchronous lists in a
     * non-interactive shell get /dev/null as stdin. The program runs under setsid, so its pid is also its process
     * group id and "kill -TERM -$c" reaches its children too (dash's kill takes no "--").
     */
    private static final String WATCHDOG = String.join("\n",
            "trap '' INT",
            "exec 3<&0",
            "setsid \"$@\" </dev/null 3<&- &",
            "c=$!",
            "{ read _ <&3; kill -TERM -\"$c\"; sleep 3; kill -KILL -\"$c\"; } >/dev/null 2>&1 &",
            "w=$!",
            "exec 3<&-",
            "wait \"$c\"; rc=$?",
            "kill \"$w\" 2>/dev/null",
            "exit $rc");

    private final String name;
    private final Process process;
    private final OutputStream lifeline;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.log = log;
    }

    /**
     * Starts a command.
     *
     * @param name short name for logs and errors ("xvfb", "chromium", …)
     * @param command program and arguments
     * @param env extra environment variables
     * @param log file receiving the program's stderr (and stdout unless {@code captureStdout})
     * @param captureStdout keep stdout readable through {@link #stdout()} instead of logging it
     */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path log,
            boolean captureStdout) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "egress-" + name));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (!captureStdout) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        }
        try {
            Process p = pb.start();
            LOG.debug("started {} (pid {}): {}", name, p.pid(), String.join(" ", command));
            return new ManagedProcess(name, p, log);
        } catch (IOException e) {
            throw EgressException.processFailed(name, e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Pid of the watchdog shell (the program itself runs as its child). */
    public long pid() {
        return process.pid();
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    /** The program's exit, for sources that must notice a helper dying. */
    public java.util.concurrent.CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** The last lines the program wrote to its log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Terminates the program (SIGTERM to its group, SIGKILL after 3 s) and waits for it. Idempotent. */
    @Override
    public void close() {
        try {
            lifeline.close();
        } catch (IOException e) {
            LOG.debug("closing lifeline of {}: {}", name, e.toString());
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
