package org.jegress.server.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts each shared handler process on one CPU ({@code shared_handler_cpu_pinning}): the one of the worker's allowed
 * CPUs that the fewest shared handlers use. A shared handler's egresses pass every packet from thread to thread
 * (network source, transport queue, jitter buffer, the track's queue); a profile at 50 track egresses showed most of
 * those threads' time in the kernel waking the next one, which is far cheaper when both are on the same core.
 * Applied with util-linux's {@code taskset -a -p} (every thread; threads made later inherit the mask); where that
 * fails, the handler keeps running unpinned.
 */
final class CpuPlacement {

    private static final Logger LOG = LoggerFactory.getLogger(CpuPlacement.class);

    private final List<Integer> cpus;
    private final Map<Long, Integer> placed = new HashMap<>();

    CpuPlacement(List<Integer> cpus) {
        this.cpus = List.copyOf(cpus);
    }

    /** The CPUs this process may run on ({@code Cpus_allowed_list} of /proc/self/status), or empty if unknown. */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseList(line.substring(line.indexOf(':') + 1));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no CPU list: {}", e.toString());
        }
        return List.of();
    }

    /** Parses a kernel CPU list such as {@code 0-3,8,10-11}. */
    static List<Integer> parseList(String list) {
        List<Integer> out = new ArrayList<>();
        for (String part : list.trim().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] range = part.trim().split("-");
            int from = Integer.parseInt(range[0].trim());
            int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
            for (int c = from; c <= to; c++) {
                out.add(c);
            }
        }
        return out;
    }

    /** The CPU for a new shared handler: the least used, the lowest of equals; -1 with fewer than two CPUs. */
    synchronized int choose(long pid) {
        if (cpus.size() < 2) {
            return -1;
        }
        int best = -1;
        long bestCount = Long.MAX_VALUE;
        for (int cpu : cpus) {
            long count = placed.values().stream().filter(c -> c == cpu).count();
            if (count < bestCount) {
                best = cpu;
                bestCount = count;
            }
        }
        placed.put(pid, best);
        return best;
    }

    /** The handler is gone: its CPU counts one fewer. */
    synchronized void release(long pid) {
        placed.remove(pid);
    }

    /** Chooses a CPU for the process and moves every thread of it there. */
    void place(long pid) {
        int cpu = choose(pid);
        if (cpu < 0) {
            return;
        }
        try {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(cpu), Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                LOG.warn("shared handler pid {}: taskset failed; it runs on any CPU", pid);
                release(pid);
                return;
            }
            LOG.info("shared handler pid {} runs on CPU {}", pid, cpu);
        } catch (IOException e) {
            LOG.warn("shared handler pid {}: cannot run taskset ({}); it runs on any CPU", pid, e.getMessage());
            release(pid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(pid);
        }
    }
}
