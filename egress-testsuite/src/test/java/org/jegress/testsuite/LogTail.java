package org.jegress.testsuite;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The last lines the test JVM logged (slf4j-simple writes to {@code System.err}, looked up at every line), kept so that
 * a failure can quote what the egress warned about: CI shows the assertion, not the test's whole output.
 */
final class LogTail extends OutputStream {

    private static final int LINES = 400;
    private static volatile LogTail installed;

    private final PrintStream target;
    private final Deque<String> lines = new ArrayDeque<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    private LogTail(PrintStream target) {
        this.target = target;
    }

    /** Starts keeping lines (once per JVM). */
    static synchronized void install() {
        if (installed == null) {
            installed = new LogTail(System.err);
            System.setErr(new PrintStream(installed, true, StandardCharsets.UTF_8));
        }
    }

    /** The warnings and errors kept that name {@code egressId}, oldest first. */
    static List<String> warnings(String egressId) {
        LogTail t = installed;
        if (t == null) {
            return List.of();
        }
        synchronized (t) {
            return t.lines.stream().filter(l -> l.contains(egressId))
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
        }
    }

    @Override
    public synchronized void write(int b) {
        target.write(b);
        keep(b);
    }

    private void keep(int b) {
        if (b == '\n') {
            if (lines.size() == LINES) {
                lines.removeFirst();
            }
            lines.addLast(current.toString(StandardCharsets.UTF_8));
            current.reset();
        } else if (current.size() < 2_000) {
            current.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        target.write(b, off, len);
        for (int i = off; i < off + len; i++) {
            keep(b[i]);
        }
    }

    @Override
    public void flush() {
        target.flush();
    }
}
