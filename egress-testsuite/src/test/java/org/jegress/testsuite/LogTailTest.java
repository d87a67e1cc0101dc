package org.jegress.testsuite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTailTest {

    @Test
    void keepsTheWarningsThatNameAnEgress() {
        LogTail.install();
        System.err.println("12:00:00.000 [egress-EG_a] WARN org.x.Y - EG_a: outputs not finalised after 30 s: [segments]");
        System.err.println("12:00:00.001 [egress-EG_a] INFO org.x.Y - EG_a: recording");
        System.err.println("12:00:00.002 [egress-EG_b] WARN org.x.Y - EG_b: something else");
        assertThat(LogTail.warnings("EG_a"))
                .containsExactly("12:00:00.000 [egress-EG_a] WARN org.x.Y - EG_a: outputs not finalised after 30 s: [segments]");
    }
}
