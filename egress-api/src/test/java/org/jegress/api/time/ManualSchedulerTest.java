package org.jegress.api.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ManualSchedulerTest {

    @Test
    void runsDueTasksInTimeOrderOnlyWhenTimeMoves() {
        ManualScheduler s = new ManualScheduler();
        List<String> ran = new ArrayList<>();
        s.schedule(Duration.ofSeconds(3), () -> ran.add("once@3"));
        Scheduler.Task every = s.every(Duration.ofSeconds(2), () -> ran.add("every@" + s.clock().instant()
                .getEpochSecond() % 60));
        assertThat(ran).isEmpty();
        s.advance(Duration.ofSeconds(5));
        assertThat(ran).containsExactly("every@2", "once@3", "every@4");
        every.cancel();
        s.advance(Duration.ofSeconds(10));
        assertThat(ran).hasSize(3);
        assertThat(s.pending()).isZero();
    }
}
