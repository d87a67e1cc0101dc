package org.jegress.server.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One scan of {@code /proc/<pid>/stat} for every process: parentage, session and CPU time, enough to find a
 * process tree and to measure its CPU between two scans. Memory is read per process on demand
 * ({@link #rssBytes(long)}), only for the processes that matter.
 */
public final class ProcSnapshot {

    /** Clock ticks per second of the times in {@code /proc/<pid>/stat} (USER_HZ, 100 on every Linux ABI in use). */
    public static final int CLOCK_TICKS_PER_SECOND = 100;

    /** The default procfs mount. */
    public static final Path PROC = Paths.get("/proc");

    /**
     * One process.
     *
     * @param pid       process id
     * @param ppid      parent process id
     * @param sessionId session id (the pid of the session leader)
     * @param cpuTicks  user + system CPU time of the process (all its threads), in clock ticks
     * @param comm      the command name as the kernel reports it
     */
    public record ProcStat(long pid, long ppid, long sessionId, long cpuTicks, String comm) {
    }

    private final Path procRoot;
    private final long nanoTime;
    private final Map<Long, ProcStat> processes;

    private ProcSnapshot(Path procRoot, long nanoTime, Map<Long, ProcStat> processes) {
        this.procRoot = procRoot;
        this.nanoTime = nanoTime;
        this.processes = processes;
    }

    /** Scans {@code /proc}, timestamped with {@link System#nanoTime()}. */
    public static ProcSnapshot read() {
        return read(PROC, System.nanoTime());
    }

    /**
     * Scans a procfs tree.
     *
     * @param procRoot the procfs mount (a fake tree in tests)
     * @param nanoTime the monotonic time of the scan, used to turn CPU ticks into cores
     */
    public static ProcSnapshot read(Path procRoot, long nanoTime) {
        Map<Long, ProcStat> processes = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                ProcStat stat = readStat(dir.resolve("stat"), pid);
                if (stat != null) {
                    processes.put(pid, stat);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + procRoot + ": " + e.getMessage(), e);
        }
        return new ProcSnapshot(procRoot, nanoTime, Collections.unmodifiableMap(processes));
    }

    /**
     * Parses {@code /proc/<pid>/stat}; null when the process is gone or the line is malformed. The command name
     * sits between the first '(' and the last ')' and may itself contain spaces and parentheses.
     */
    static ProcStat readStat(Path statFile, long pid) {
        String line;
        try {
            line = Files.readString(statFile, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null; // exited between listing and reading, or not readable
        }
        return parseStat(line, pid);
    }

    static ProcStat parseStat(String line, long pid) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            return null;
        }
        String comm = line.substring(open + 1, close);
        String[] f = line.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state): ppid is field 4, session 6, utime 14, stime 15
        if (f.length < 13) {
            return null;
        }
        try {
            long ppid = Long.parseLong(f[1]);
            long session = Long.parseLong(f[3]);
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return new ProcStat(pid, ppid, session, ticks, comm);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** When the scan was taken ({@link System#nanoTime()} scale). */
    public long nanoTime() {
        return nanoTime;
    }

    /** Every process seen, by pid. */
    public Map<Long, ProcStat> processes() {
        return processes;
    }

    /** One process, if it was seen. */
    public Optional<ProcStat> get(long pid) {
        return Optional.ofNullable(processes.get(pid));
    }

    /**
     * The process tree of {@code rootPid}: the root and all its descendants; when the root leads its own session
     * (a handler started with {@code setsid}, as upstream starts them), also every process still in that session,
     * which catches helpers orphaned and re-parented to init (a crashed Chromium's zygote, a daemonised Xvfb).
     * Empty when the root is gone.
     */
    public Set<Long> tree(long rootPid) {
        ProcStat root = processes.get(rootPid);
        if (root == null) {
            return Set.of();
        }
        Map<Long, List<Long>> children = new HashMap<>();
        for (ProcStat p : processes.values()) {
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
        }
        Set<Long> members = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>();
        todo.add(rootPid);
        if (root.sessionId() == rootPid) {
            for (ProcStat p : processes.values()) {
                if (p.sessionId() == rootPid) {
                    todo.add(p.pid());
                }
            }
        }
        while (!todo.isEmpty()) {
            long pid = todo.poll();
            if (members.add(pid)) {
                todo.addAll(children.getOrDefault(pid, List.of()));
            }
        }
        return members;
    }

    /**
     * Resident memory of one process from {@code /proc/<pid>/status} ({@code VmRSS}), in bytes; 0 when the process
     * is gone or has no user memory (kernel threads).
     */
    public long rssBytes(long pid) {
        return readRssBytes(procRoot.resolve(Long.toString(pid)).resolve("status"));
    }

    static long readRssBytes(Path statusFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(statusFile, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        for (String l : lines) {
            if (l.startsWith("VmRSS:")) {
                String[] f = l.substring("VmRSS:".length()).trim().split("\\s+");
                try {
                    long value = Long.parseLong(f[0]);
                    return f.length > 1 && f[1].equalsIgnoreCase("kB") ? value * 1024 : value;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
