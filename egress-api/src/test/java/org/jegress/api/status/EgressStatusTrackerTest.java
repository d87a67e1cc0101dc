package org.jegress.api.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.FileInfo;
import org.junit.jupiter.api.Test;

/** Transitions of upstream {@code livekit_egress.go} (SetFailed, SetAborted, SetLimitReached, SetComplete...). */
class EgressStatusTrackerTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final long START_NS = START.getEpochSecond() * 1_000_000_000L;

    private final ManualClock clock = new ManualClock(START);
    private final List<EgressInfo> published = new ArrayList<>();

    private EgressStatusTracker tracker() {
        EgressInfo initial = EgressInfo.newBuilder().setEgressId("EG_1").setRoomName("room")
                .setStatus(EgressStatus.EGRESS_STARTING).setStartedAt(START_NS).setUpdatedAt(START_NS).build();
        EgressStatusTracker t = new EgressStatusTracker(initial, clock);
        t.addListener(published::add);
        return t;
    }

    private long later(int seconds) {
        clock.advance(Duration.ofSeconds(seconds));
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void startsFromTheInitialInfo() {
        EgressStatusTracker t = tracker();
        assertThat(t.status()).isEqualTo(EgressStatus.EGRESS_STARTING);
        assertThat(t.snapshot().getEgressId()).isEqualTo("EG_1");
        assertThat(t.isTerminal()).isFalse();
        assertThat(published).isEmpty();
    }

    @Test
    void nowNsComesFromTheClock() {
        EgressStatusTracker t = tracker();
        clock.advance(Duration.ofNanos(1_234_567_891));
        assertThat(t.nowNs()).isEqualTo(START_NS + 1_234_567_891L);
    }

    @Test
    void activeIsPublishedOnce() {
        EgressStatusTracker t = tracker();
        long at = later(3);
        assertThat(t.active()).isTrue();
        assertThat(t.status()).isEqualTo(EgressStatus.EGRESS_ACTIVE);
        assertThat(t.snapshot().getUpdatedAt()).isEqualTo(at);
        assertThat(t.snapshot().getStartedAt()).isEqualTo(START_NS);
        assertThat(published).hasSize(1);
        assertThat(published.get(0).getStatus()).isEqualTo(EgressStatus.EGRESS_ACTIVE);

        assertThat(t.active()).isFalse();
        assertThat(published).hasSize(1);
    }

    @Test
    void endingOnlyFromActive() {
        EgressStatusTracker t = tracker();
        assertThat(t.ending()).isFalse();
        assertThat(t.status()).isEqualTo(EgressStatus.EGRESS_STARTING);
        assertThat(published).isEmpty();

        t.active();
        long at = later(10);
        assertThat(t.ending()).isTrue();
        assertThat(t.status()).isEqualTo(EgressStatus.EGRESS_ENDING);
        assertThat(t.snapshot().getUpdatedAt()).isEqualTo(at);
        assertThat(published).extracting(EgressInfo::getStatus)
                .containsExactly(EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING);
        assertThat(t.ending()).isFalse();
        assertThat(t.active()).isFalse();
    }

    @Test
    void completeIsNotPublishedByItself() {
        EgressStatusTracker t = tracker();
        t.active();
        t.ending();
        long at = later(20);
        t.complete();
        EgressInfo info = t.snapshot();
        assertThat(info.getStatus()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(info.getEndedAt()).isEqualTo(at);
        assertThat(info.getUpdatedAt()).isEqualTo(at);
        assertThat(info.getError()).isEmpty();
        assertThat(info.getErrorCode()).isZero();
        assertThat(t.isTerminal()).isTrue();
        assertThat(published).hasSize(2);
        t.publish();
        assertThat(published).last().extracting(EgressInfo::getStatus).isEqualTo(EgressStatus.EGRESS_COMPLETE);
    }

    @Test
    void endReasonGoesToDetails() {
        EgressStatusTracker t = tracker();
        t.endReason(EndReason.API);
        assertThat(t.snapshot().getDetails()).isEqualTo("End reason: StopEgress API");
        t.complete();
        assertThat(t.snapshot().getDetails()).isEqualTo("End reason: StopEgress API");
        assertThat(published).isEmpty();
    }

    @Test
    void failedWithAPsrpcCode() {
        EgressStatusTracker t = tracker();
        t.active();
        long at = later(5);
        t.failed(EgressException.invalidInput("web url"));
        EgressInfo info = t.snapshot();
        assertThat(info.getStatus()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(info.getError()).isEqualTo("request has missing or invalid field: web url");
        assertThat(info.getErrorCode()).isEqualTo(400);
        assertThat(info.getDetails()).isEqualTo("End reason: Failure");
        assertThat(info.getEndedAt()).isEqualTo(at);
        assertThat(info.getUpdatedAt()).isEqualTo(at);
        assertThat(published).hasSize(1);
    }

    @Test
    void failedKeepsAnEarlierEndReason() {
        EgressStatusTracker t = tracker();
        t.endReason(EndReason.SOURCE_CLOSED);
        t.failed(EgressException.pipelineFrozen());
        assertThat(t.snapshot().getDetails()).isEqualTo("End reason: Source closed");
        assertThat(t.snapshot().getErrorCode()).isEqualTo(500);
        assertThat(t.snapshot().getError()).isEqualTo("pipeline frozen");
    }

    @Test
    void errorCodeFollowsThePsrpcHttpMapping() {
        Object[][] table = {
            {ErrorCode.INVALID_ARGUMENT, 400},
            {ErrorCode.MALFORMED_REQUEST, 400},
            {ErrorCode.NOT_FOUND, 404},
            {ErrorCode.NOT_ACCEPTABLE, 406},
            {ErrorCode.ALREADY_EXISTS, 409},
            {ErrorCode.ABORTED, 409},
            {ErrorCode.PERMISSION_DENIED, 403},
            {ErrorCode.RESOURCE_EXHAUSTED, 429},
            {ErrorCode.FAILED_PRECONDITION, 412},
            {ErrorCode.OUT_OF_RANGE, 416},
            {ErrorCode.UNIMPLEMENTED, 501},
            {ErrorCode.UNAVAILABLE, 503},
            {ErrorCode.CANCELED, 503},
            {ErrorCode.DEADLINE_EXCEEDED, 503},
            {ErrorCode.INTERNAL, 500},
            {ErrorCode.DATA_LOSS, 500},
            {ErrorCode.MALFORMED_RESULT, 500},
            {ErrorCode.UNAUTHENTICATED, 401},
        };
        for (Object[] row : table) {
            EgressStatusTracker t = tracker();
            t.failed(new EgressException((ErrorCode) row[0], "boom"));
            assertThat(t.snapshot().getErrorCode()).as(row[0].toString()).isEqualTo(row[1]);
            assertThat(t.snapshot().getError()).isEqualTo("boom");
        }
    }

    @Test
    void unknownCodeLeavesErrorCodeUnchanged() {
        EgressStatusTracker t = tracker();
        t.failed(new EgressException(ErrorCode.UNKNOWN, "mystery"));
        assertThat(t.snapshot().getErrorCode()).isZero();
        assertThat(t.snapshot().getError()).isEqualTo("mystery");
        assertThat(t.status()).isEqualTo(EgressStatus.EGRESS_FAILED);

        EgressStatusTracker previous = tracker();
        previous.update(b -> b.setErrorCode(503));
        previous.failed(new EgressException(ErrorCode.UNKNOWN, "mystery"));
        assertThat(previous.snapshot().getErrorCode()).isEqualTo(503);
    }

    @Test
    void nonPsrpcErrorsLeaveErrorCodeUnchanged() {
        EgressStatusTracker t = tracker();
        t.failed(new IllegalStateException("gst error"));
        assertThat(t.snapshot().getError()).isEqualTo("gst error");
        assertThat(t.snapshot().getErrorCode()).isZero();
        assertThat(t.snapshot().getDetails()).isEqualTo("End reason: Failure");
    }

    @Test
    void errorWithoutMessage() {
        EgressStatusTracker t = tracker();
        t.failed(new NullPointerException());
        assertThat(t.snapshot().getError()).isEqualTo("java.lang.NullPointerException");
    }

    @Test
    void crashedIs500() {
        EgressStatusTracker t = tracker();
        t.crashed("handler exited with status 137");
        assertThat(t.status()).isEqualTo(EgressStatus.EGRESS_FAILED);
        assertThat(t.snapshot().getErrorCode()).isEqualTo(500);
        assertThat(t.snapshot().getError()).isEqualTo("handler exited with status 137");
    }

    @Test
    void aborted() {
        for (String msg : List.of(EgressStatusTracker.MSG_START_NOT_RECEIVED,
                EgressStatusTracker.MSG_STOPPED_BEFORE_STARTED,
                EgressStatusTracker.MSG_LIMIT_REACHED_WITHOUT_START)) {
            EgressStatusTracker t = tracker();
            long at = later(1);
            t.aborted(msg);
            EgressInfo info = t.snapshot();
            assertThat(info.getStatus()).isEqualTo(EgressStatus.EGRESS_ABORTED);
            assertThat(info.getError()).isEqualTo(msg);
            assertThat(info.getErrorCode()).isEqualTo(412);
            assertThat(info.getEndedAt()).isEqualTo(at);
            assertThat(info.getUpdatedAt()).isEqualTo(at);
            assertThat(info.getDetails()).isEmpty();
            assertThat(t.isTerminal()).isTrue();
        }
        assertThat(published).isEmpty();
    }

    @Test
    void abortMessages() {
        assertThat(EgressStatusTracker.MSG_START_NOT_RECEIVED).isEqualTo("Start signal not received");
        assertThat(EgressStatusTracker.MSG_STOPPED_BEFORE_STARTED).isEqualTo("Stop called before pipeline could start");
        assertThat(EgressStatusTracker.MSG_LIMIT_REACHED_WITHOUT_START)
                .isEqualTo("Session limit reached before start signal");
        assertThat(EgressStatusTracker.MSG_LIMIT_REACHED).isEqualTo("Session limit reached");
    }

    @Test
    void limitReached() {
        EgressStatusTracker t = tracker();
        t.active();
        long at = later(60);
        t.limitReached();
        EgressInfo info = t.snapshot();
        assertThat(info.getStatus()).isEqualTo(EgressStatus.EGRESS_LIMIT_REACHED);
        assertThat(info.getError()).isEqualTo("Session limit reached");
        assertThat(info.getErrorCode()).isEqualTo(413);
        assertThat(info.getEndedAt()).isEqualTo(at);
        assertThat(t.isTerminal()).isTrue();
    }

    @Test
    void terminalStatuses() {
        assertThat(EgressStatusTracker.isTerminal(EgressStatus.EGRESS_STARTING)).isFalse();
        assertThat(EgressStatusTracker.isTerminal(EgressStatus.EGRESS_ACTIVE)).isFalse();
        assertThat(EgressStatusTracker.isTerminal(EgressStatus.EGRESS_ENDING)).isFalse();
        assertThat(EgressStatusTracker.isTerminal(EgressStatus.EGRESS_COMPLETE)).isTrue();
        assertThat(EgressStatusTracker.isTerminal(EgressStatus.EGRESS_FAILED)).isTrue();
        assertThat(EgressStatusTracker.isTerminal(EgressStatus.EGRESS_ABORTED)).isTrue();
        assertThat(EgressStatusTracker.isTerminal(EgressStatus.EGRESS_LIMIT_REACHED)).isTrue();
    }

    @Test
    void updateChangesFieldsWithoutPublishing() {
        EgressStatusTracker t = tracker();
        t.update(b -> b.addFileResults(FileInfo.newBuilder().setFilename("a.mp4")).setManifestLocation("m"));
        assertThat(t.snapshot().getFileResults(0).getFilename()).isEqualTo("a.mp4");
        assertThat(t.snapshot().getManifestLocation()).isEqualTo("m");
        assertThat(published).isEmpty();
    }

    @Test
    void snapshotsAreImmutableCopies() {
        EgressStatusTracker t = tracker();
        EgressInfo before = t.snapshot();
        t.active();
        assertThat(before.getStatus()).isEqualTo(EgressStatus.EGRESS_STARTING);
        assertThat(published.get(0)).isNotSameAs(t.snapshot());
    }

    @Test
    void listenersAreCalledInRegistrationOrder() {
        EgressStatusTracker t = tracker();
        List<String> calls = new ArrayList<>();
        t.addListener(i -> calls.add("second:" + i.getStatus()));
        Consumer<EgressInfo> third = i -> calls.add("third:" + i.getStatus());
        t.addListener(third);
        t.addListener(i -> calls.add("fourth:" + i.getStatus()));
        t.active();
        t.removeListener(third);
        t.ending();
        assertThat(calls).containsExactly(
                "second:EGRESS_ACTIVE", "third:EGRESS_ACTIVE", "fourth:EGRESS_ACTIVE",
                "second:EGRESS_ENDING", "fourth:EGRESS_ENDING");
        assertThat(published).extracting(EgressInfo::getStatus)
                .containsExactly(EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING);
    }

    @Test
    void fullLifecyclePublishesInOrder() {
        EgressStatusTracker t = tracker();
        later(1);
        t.active();
        later(1);
        t.endReason(EndReason.API);
        t.ending();
        later(1);
        t.complete();
        t.publish();
        assertThat(published).extracting(EgressInfo::getStatus).containsExactly(EgressStatus.EGRESS_ACTIVE,
                EgressStatus.EGRESS_ENDING, EgressStatus.EGRESS_COMPLETE);
        assertThat(published).extracting(EgressInfo::getUpdatedAt).isSorted();
        assertThat(published.get(2).getDetails()).isEqualTo("End reason: StopEgress API");
    }

    @Test
    void concurrentPublishersNeverDeliverAnOlderSnapshotAfterANewerOne() throws Exception {
        EgressStatusTracker t = new EgressStatusTracker(EgressInfo.newBuilder().setEgressId("EG_1").build(),
                clock);
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        t.addListener(i -> seen.add(i.getUpdatedAt()));
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            for (int n = 0; n < threads; n++) {
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        t.update(b -> b.setUpdatedAt(b.getUpdatedAt() + 1));
                        t.publish();
                    }
                });
            }
            go.countDown();
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(seen).hasSize(threads * perThread);
        assertThat(seen).isSorted();
        assertThat(t.snapshot().getUpdatedAt()).isEqualTo((long) threads * perThread);
    }

    @Test
    void endReasons() {
        assertThat(EndReason.API.details()).isEqualTo("End reason: StopEgress API");
        assertThat(EndReason.KILLED.details()).isEqualTo("End reason: Process killed");
        assertThat(EndReason.SOURCE_CLOSED.details()).isEqualTo("End reason: Source closed");
        assertThat(EndReason.LIMIT_REACHED.details()).isEqualTo("End reason: Session limit reached");
        assertThat(EndReason.STREAMS_STOPPED.details()).isEqualTo("End reason: All streams stopped");
        assertThat(EndReason.CPU_EXHAUSTED.details()).isEqualTo("End reason: CPU exhausted");
        assertThat(EndReason.FAILURE.details()).isEqualTo("End reason: Failure");
        assertThat(EndReason.FAILURE.text()).isEqualTo("Failure");
    }
}
