package org.jegress.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupMemoryTest {

    @TempDir
    Path dir;

    @Test
    void v2WorkingSetExcludesInactiveFilePages() throws Exception {
        Files.writeString(dir.resolve("memory.current"), "1000000\n");
        Files.writeString(dir.resolve("memory.stat"), "anon 600000\nfile 400000\ninactive_anon 0\n"
                + "inactive_file 250000\nactive_file 150000\n");
        assertThat(new CgroupMemory(dir).read()).hasValue(750_000);
    }

    @Test
    void v1WorkingSetExcludesTotalInactiveFile() throws Exception {
        Path v1 = Files.createDirectories(dir.resolve("memory"));
        Files.writeString(v1.resolve("memory.usage_in_bytes"), "5000\n");
        Files.writeString(v1.resolve("memory.stat"), "cache 100\ninactive_file 7\ntotal_inactive_file 1000\n");
        assertThat(new CgroupMemory(dir).read()).hasValue(4000);
    }

    @Test
    void usageWithoutStatsAndNothingAtAll() throws Exception {
        assertThat(new CgroupMemory(dir).read()).isEmpty();
        Files.writeString(dir.resolve("memory.current"), "1234\n");
        assertThat(new CgroupMemory(dir).read()).hasValue(1234);
        Files.writeString(dir.resolve("memory.current"), "max\n");
        assertThat(new CgroupMemory(dir).read()).isEmpty();
    }
}
