package org.jegress.sources.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jegress.api.error.EgressException;
import org.jegress.sources.process.ManagedProcess;

/**
 * A private Xvfb display sized from the encoding. Xvfb picks a free display number itself ({@code -displayfd})
 * and reports it once it accepts connections, so there is neither a race on display numbers nor a readiness poll.
 */
final class VirtualDisplay implements AutoCloseable {

    private final ManagedProcess xvfb;
    private final String display;

    private VirtualDisplay(ManagedProcess xvfb, String display) {
        this.xvfb = xvfb;
        this.display = display;
    }

    /**
     * @param width screen width
     * @param height screen height
     * @param depth colour depth (8, 16 or 24)
     * @param workDir where the Xvfb log goes
     */
    static VirtualDisplay start(int width, int height, int depth, Path workDir) {
        ManagedProcess p = ManagedProcess.start("xvfb",
                List.of("Xvfb", "-displayfd", "1", "-screen", "0", width + "x" + height + "x" + depth,
                        "-nolisten", "tcp", "-ac", "-noreset",
                        // Unused with -ac; it puts the egress's work directory on Xvfb's command line, so
                        // operators (and our leak checks) can tell which egress a display belongs to.
                        "-auth", workDir.resolve("xauthority").toString()),
                Map.of(), workDir.resolve("xvfb.log"), true);
        CompletableFuture<String> number = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.stdout(), StandardCharsets.US_ASCII));
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String n = number.get(10, TimeUnit.SECONDS);
            if (n == null || !n.trim().matches("\\d+")) {
                String tail = p.tail(5);
                p.close();
                throw EgressException.processFailed("xvfb", tail.isEmpty() ? "no display reported" : tail);
            }
            return new VirtualDisplay(p, ":" + n.trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.close();
            throw EgressException.processFailed("xvfb", "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            p.close();
            throw EgressException.processFailed("xvfb", "display not ready after 10 s");
        }
    }

    /** The display name, e.g. ":97". */
    String display() {
        return display;
    }

    CompletableFuture<Process> onExit() {
        return xvfb.onExit();
    }

    @Override
    public void close() {
        xvfb.close();
    }
}
