package org.jegress.sources.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.jegress.api.error.EgressException;
import org.jegress.sources.process.ManagedProcess;

/**
 * A private PulseAudio server for one egress, with a single null sink named after the egress. Upstream loads a
 * null sink per egress into one shared daemon, which caps a node at about 60 clients (~15 browsers) and leaks
 * sinks when a handler dies; a private server has neither problem and disappears with the egress.
 */
final class PulseServer implements AutoCloseable {

    private final ManagedProcess daemon;
    private final Path socket;
    private final String sink;

    private PulseServer(ManagedProcess daemon, Path socket, String sink) {
        this.daemon = daemon;
        this.socket = socket;
        this.sink = sink;
    }

    /**
     * @param sinkName name of the null sink (the egress ID); its monitor is what gets recorded
     * @param workDir private directory for the socket, runtime files and log
     */
    static PulseServer start(String sinkName, Path workDir) throws InterruptedException {
        Path dir = workDir.resolve("pulse");
        Path socket = dir.resolve("native");
        try {
            Files.createDirectories(dir.resolve("home"));
            Files.createDirectories(dir.resolve("run"));
        } catch (IOException e) {
            throw EgressException.processFailed("pulse", e.getMessage());
        }
        ManagedProcess p = ManagedProcess.start("pulse", List.of("pulseaudio",
                "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "-n", "--use-pid-file=no",
                "--realtime=no", "--high-priority=no", "--log-target=stderr",
                "--load=module-native-protocol-unix socket=" + socket + " auth-anonymous=1",
                "--load=module-null-sink sink_name=" + sinkName + " sink_properties=device.description=" + sinkName
                        + " rate=48000 channels=2",
                "--load=module-always-sink"),
                Map.of("HOME", dir.resolve("home").toString(), "XDG_RUNTIME_DIR", dir.resolve("run").toString(),
                        "PULSE_RUNTIME_PATH", dir.resolve("run").toString()),
                workDir.resolve("pulse.log"), false);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String tail = p.tail(5);
                p.close();
                throw EgressException.processFailed("pulse", tail.isEmpty() ? "socket not created" : tail);
            }
            Thread.sleep(20);
        }
        return new PulseServer(p, socket, sinkName);
    }

    /** Value for PULSE_SERVER and pulsesrc's "server" property. */
    String server() {
        return "unix:" + socket;
    }

    /** The device pulsesrc records: the null sink's monitor. */
    String monitorDevice() {
        return sink + ".monitor";
    }

    String sink() {
        return sink;
    }

    java.util.concurrent.CompletableFuture<Process> onExit() {
        return daemon.onExit();
    }

    @Override
    public void close() {
        daemon.close();
    }
}
