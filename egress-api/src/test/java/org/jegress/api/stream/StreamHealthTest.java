package org.jegress.api.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.jegress.api.stream.StreamHealth.Liveness;
import org.jegress.api.time.ManualScheduler;
import org.junit.jupiter.api.Test;

class StreamHealthTest {

    private final ManualScheduler time = new ManualScheduler();
    private final StreamHealth health = new StreamHealth(time.clock());

    private Liveness pollAfter(long seconds, long bytes) {
        time.advance(Duration.ofSeconds(seconds));
        return health.poll(bytes);
    }

    @Test
    void aBadUrlFailsOnItsFirstError() {
        assertThat(health.shouldReconnect(0)).isFalse();
    }

    @Test
    void aStreamThatWorkedReconnectsUntilItHasBeenDownThirtySeconds() {
        assertThat(pollAfter(5, 500_000)).isEqualTo(Liveness.PROGRESS);
        time.advance(Duration.ofSeconds(1));
        assertThat(health.shouldReconnect(0)).isTrue();
        time.advance(Duration.ofSeconds(20));
        assertThat(health.shouldReconnect(0)).isTrue();
        time.advance(Duration.ofSeconds(11));
        assertThat(health.shouldReconnect(0)).isFalse();
    }

    @Test
    void progressAfterAReconnectEndsTheDisconnection() {
        pollAfter(5, 500_000);
        assertThat(health.shouldReconnect(0)).isTrue();
        assertThat(health.reconnections()).isEqualTo(1);
        // the replacement sink counts from zero
        assertThat(pollAfter(5, 400_000)).isEqualTo(Liveness.PROGRESS);
        assertThat(health.reconnections()).isZero();
        long bytes = 400_000;
        for (int i = 0; i < 8; i++) {
            bytes += 100_000;
            assertThat(pollAfter(5, bytes)).isEqualTo(Liveness.PROGRESS);
        }
        assertThat(health.shouldReconnect(0)).isTrue();
    }

    @Test
    void anAcknowledgedStreamIsRetriedEvenBeforeTheFirstPoll() {
        assertThat(health.shouldReconnect(1234)).isTrue();
    }

    @Test
    void controlChatterIsNotProgress() {
        assertThat(pollAfter(5, 1_000)).isEqualTo(Liveness.NONE);
        assertThat(health.shouldReconnect(0)).isFalse();
    }

    @Test
    void aStreamSilentForThirtySecondsIsNotRevivedByAnError() {
        pollAfter(5, 200_000);
        time.advance(Duration.ofSeconds(31));
        assertThat(health.shouldReconnect(5000)).isFalse();
    }

    @Test
    void noProgressForThirtySecondsIsAWedge() {
        pollAfter(5, 100_000);
        for (int i = 0; i < 6; i++) {
            assertThat(pollAfter(5, 100_500)).isEqualTo(Liveness.NONE);
        }
        assertThat(pollAfter(5, 100_600)).isEqualTo(Liveness.WEDGED);
        assertThat(health.shouldReconnect(100_000)).isFalse();
        assertThat(StreamHealth.wedgedMessage()).isEqualTo("no outbound progress for 30s");
    }

    @Test
    void aReplacementSinkThatHangsConnectingIsWedgedToo() {
        pollAfter(5, 200_000);
        assertThat(health.shouldReconnect(0)).isTrue();
        for (int i = 0; i < 6; i++) {
            assertThat(pollAfter(5, 0)).isEqualTo(Liveness.NONE);
        }
        assertThat(pollAfter(5, 0)).isEqualTo(Liveness.WEDGED);
    }

    @Test
    void anUnconnectedSinkIsLeftToTheErrorPath() {
        for (int i = 0; i < 10; i++) {
            assertThat(pollAfter(5, 0)).isEqualTo(Liveness.NONE);
        }
    }

    @Test
    void retriesAreReportedAtMostOnceAMinute() {
        assertThat(health.shouldReportRetry()).isTrue();
        time.advance(Duration.ofSeconds(30));
        assertThat(health.shouldReportRetry()).isFalse();
        time.advance(Duration.ofSeconds(30));
        assertThat(health.shouldReportRetry()).isTrue();
    }
}
