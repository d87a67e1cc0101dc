package org.jegress.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcSnapshotTest {

    @TempDir
    Path dir;

    @Test
    void parsesACommandNameWithSpacesAndParentheses() {
        ProcSnapshot.ProcStat s = ProcSnapshot.parseStat(
                "4242 (Web Content (x)) R 17 4242 4200 0 -1 4194304 10 0 0 0 250 75 3 4 20 0 9 0 1 2 3\n", 4242);
        assertThat(s).isEqualTo(new ProcSnapshot.ProcStat(4242, 17, 4200, 325, "Web Content (x)"));
        assertThat(ProcSnapshot.parseStat("garbage", 1)).isNull();
        assertThat(ProcSnapshot.parseStat("1 (x) S 0 1", 1)).isNull();
    }

    @Test
    void treeHasDescendantsAndOrphansOfALeadersSession() throws Exception {
        new FakeProc(dir)
                .process(1, "init", 0, 1, 0, 0, 1000)
                .process(100, "java", 1, 100, 10, 0, 200_000)     // handler, session leader
                .process(101, "chrome", 100, 100, 10, 0, 300_000)
                .process(102, "chrome renderer", 101, 100, 10, 0, 100_000)
                .process(103, "Xvfb", 1, 100, 10, 0, 50_000)       // re-parented to init, still in the session
                .process(200, "other", 1, 200, 10, 0, 7)
                .process(201, "other child", 200, 200, 10, 0, 7);
        Files.createDirectories(dir.resolve("self"));
        Files.createDirectories(dir.resolve("sys"));

        ProcSnapshot snap = ProcSnapshot.read(dir, 0);
        assertThat(snap.processes()).containsOnlyKeys(1L, 100L, 101L, 102L, 103L, 200L, 201L);
        assertThat(snap.tree(100)).containsExactlyInAnyOrder(100L, 101L, 102L, 103L);
        // not a session leader: descendants only
        assertThat(snap.tree(101)).containsExactlyInAnyOrder(101L, 102L);
        assertThat(snap.tree(200)).containsExactlyInAnyOrder(200L, 201L);
        assertThat(snap.tree(999)).isEmpty();
        assertThat(snap.rssBytes(101)).isEqualTo(300_000L * 1024);
        assertThat(snap.rssBytes(999)).isZero();
    }

    @Test
    void realProcHasThisJvm() {
        long self = ProcessHandle.current().pid();
        ProcSnapshot snap = ProcSnapshot.read();
        assertThat(snap.get(self)).isPresent();
        assertThat(snap.get(self).orElseThrow().cpuTicks()).isPositive();
        assertThat(snap.rssBytes(self)).isGreaterThan(10L << 20);
        assertThat(snap.tree(self)).contains(self);
    }
}
