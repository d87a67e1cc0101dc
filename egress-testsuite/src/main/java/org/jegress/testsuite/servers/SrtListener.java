package org.jegress.testsuite.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code srt-live-transmit} listening on a loopback UDP port and writing what it receives to a file. */
public final class SrtListener implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path output;

    private SrtListener(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    public static SrtListener start(Path output) throws IOException, InterruptedException {
        int port = Ports.freeUdp();
        Process p = new ProcessBuilder("srt-live-transmit", "-q", "-t", "0",
                "srt://127.0.0.1:" + port + "?mode=listener", "file://con")
                .redirectOutput(output.toFile())
                .redirectError(output.resolveSibling(output.getFileName() + ".log").toFile())
                .start();
        // it binds at once; give it a moment so a caller's first handshake is not lost
        Thread.sleep(200);
        return new SrtListener(p, port, output);
    }

    /** {@code srt://127.0.0.1:<port>}. */
    public String url() {
        return "srt://127.0.0.1:" + port;
    }

    public Path output() {
        return output;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
