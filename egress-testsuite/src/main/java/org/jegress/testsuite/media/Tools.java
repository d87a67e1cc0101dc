package org.jegress.testsuite.media;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a command-line tool and returns its stdout, failing loudly with its stderr. */
public final class Tools {

    private Tools() {
    }

    public static String run(List<String> cmd) throws IOException, InterruptedException {
        return new String(runBytes(cmd), StandardCharsets.UTF_8);
    }

    public static byte[] runBytes(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        byte[] out = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(cmd.get(0) + " exited " + rc + ": " + new String(err.join(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
