package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class CpuPlacementTest {

    @Test
    void readsTheKernelsCpuLists() {
        assertThat(CpuPlacement.parseList("0-3,8,10-11\n")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuPlacement.parseList("5")).containsExactly(5);
        assertThat(CpuPlacement.allowedCpus()).isNotEmpty();
    }

    @Test
    void spreadsSharedHandlersOverTheCpusAndReusesAFreedOne() {
        CpuPlacement p = new CpuPlacement(List.of(2, 3));
        assertThat(p.choose(100)).isEqualTo(2);
        assertThat(p.choose(101)).isEqualTo(3);
        assertThat(p.choose(102)).isEqualTo(2);
        p.release(101);
        assertThat(p.choose(103)).isEqualTo(3);
    }

    @Test
    void leavesASingleCpuAlone() {
        assertThat(new CpuPlacement(List.of(0)).choose(100)).isEqualTo(-1);
    }
}
