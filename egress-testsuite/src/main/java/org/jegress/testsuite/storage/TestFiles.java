package org.jegress.testsuite.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Files of random bytes to upload, the same bytes for the same size. */
public final class TestFiles {

    private TestFiles() {
    }

    public static Path random(Path file, long size) throws IOException {
        Random r = new Random(size);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buf.length) {
                r.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
        return file;
    }
}
