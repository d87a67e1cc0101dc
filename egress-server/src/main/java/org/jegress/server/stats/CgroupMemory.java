package org.jegress.server.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.OptionalLong;

/**
 * The container's memory working set for {@code memory_source: cgroup}: usage minus inactive page cache, as
 * upstream reads it — cgroup v2 {@code memory.current − inactive_file}, v1
 * {@code memory.usage_in_bytes − total_inactive_file}. Page cache that the kernel can drop is not counted, so a
 * worker writing large files is not mistaken for one running out of memory.
 */
public final class CgroupMemory {

    private final Path root;

    /** The real cgroup mount, {@code /sys/fs/cgroup}. */
    public CgroupMemory() {
        this(Paths.get("/sys/fs/cgroup"));
    }

    /** @param root the cgroup mount (a fake tree in tests) */
    public CgroupMemory(Path root) {
        this.root = root;
    }

    /** The working set in bytes, or empty when neither cgroup version's files can be read. */
    public OptionalLong read() {
        OptionalLong v2 = workingSet(root.resolve("memory.current"), root.resolve("memory.stat"), "inactive_file");
        if (v2.isPresent()) {
            return v2;
        }
        Path v1 = root.resolve("memory");
        return workingSet(v1.resolve("memory.usage_in_bytes"), v1.resolve("memory.stat"), "total_inactive_file");
    }

    private static OptionalLong workingSet(Path usageFile, Path statFile, String inactiveKey) {
        long usage;
        try {
            usage = Long.parseLong(Files.readString(usageFile, StandardCharsets.US_ASCII).trim());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        long inactive = 0;
        try {
            List<String> lines = Files.readAllLines(statFile, StandardCharsets.US_ASCII);
            for (String l : lines) {
                String[] f = l.trim().split("\\s+");
                if (f.length == 2 && f[0].equals(inactiveKey)) {
                    inactive = Long.parseLong(f[1]);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            inactive = 0; // usage alone is still an upper bound of the working set
        }
        return OptionalLong.of(usage > inactive ? usage - inactive : usage);
    }
}
