package org.jegress.server.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A hand-written procfs tree for deterministic tests. */
final class FakeProc {

    final Path root;

    FakeProc(Path root) {
        this.root = root;
    }

    /** Writes {@code /proc/<pid>/stat} and {@code status}. */
    FakeProc process(long pid, String comm, long ppid, long session, long utime, long stime, long rssKb) {
        Path dir = root.resolve(Long.toString(pid));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") S " + ppid + " " + pid + " " + session
                    + " 0 -1 4194560 1000 0 0 0 " + utime + " " + stime + " 0 0 20 0 4 0 12345 100000000 "
                    + (rssKb / 4) + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
            Files.writeString(dir.resolve("status"), "Name:\t" + comm + "\nState:\tS (sleeping)\nPid:\t" + pid
                    + "\nPPid:\t" + ppid + "\nVmPeak:\t  999999 kB\nVmRSS:\t  " + rssKb + " kB\nThreads:\t4\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    FakeProc remove(long pid) {
        Path dir = root.resolve(Long.toString(pid));
        try {
            Files.deleteIfExists(dir.resolve("stat"));
            Files.deleteIfExists(dir.resolve("status"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes the aggregate {@code cpu} line of {@code /proc/stat}. */
    FakeProc stat(long user, long nice, long system, long idle, long iowait, long irq, long softirq, long steal) {
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve("stat"), "cpu  " + user + " " + nice + " " + system + " " + idle + " "
                    + iowait + " " + irq + " " + softirq + " " + steal + " 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
                    + "intr 12345\nctxt 999\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
