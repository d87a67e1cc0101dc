package org.jegress.api.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.CpuCostConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.TrackEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private static final long GB = 1L << 30;

    private final MutableClock clock = new MutableClock();

    private static CpuCostConfig config(String yaml) {
        return ConfigLoader.parse(yaml, Map.of()).cpuCost();
    }

    private static final CpuCostConfig DEFAULTS = config("");

    static StartEgressRequest web(String id) {
        return StartEgressRequest.newBuilder().setEgressId(id)
                .setWeb(WebEgressRequest.newBuilder().setUrl("https://example.com")).build();
    }

    static StartEgressRequest track(String id) {
        return StartEgressRequest.newBuilder().setEgressId(id)
                .setTrack(TrackEgressRequest.newBuilder().setTrackId("TR_1")).build();
    }

    private static ErrorCode codeOf(Throwable t) {
        return ((EgressException) t).code();
    }

    @Nested
    class Cpu {

        @Test
        void idleNodeOffersAllCoresBusyNodeOnlyTheUtilisationShare() {
            Admission a = new Admission(DEFAULTS, 4, clock);
            // idle: the whole node, so a 4-core web egress fits on 4 cores although 4 × 0.8 < 4
            assertThat(a.availableCpu()).isEqualTo(4);
            assertThat(a.canAccept(web("EG_1"))).isTrue();
            a.accept(web("EG_1"));
            // busy: 4 × 0.8 − 4 (pending)
            assertThat(a.availableCpu()).isCloseTo(-0.8, within(1e-9));
            assertThat(a.canAccept(track("EG_2"))).isFalse();
            assertThat(a.activeCount()).isEqualTo(1);
        }

        @Test
        void busyNodeAdmitsUntilTheShareIsReserved() {
            Admission a = new Admission(DEFAULTS, 16, clock);
            a.accept(web("EG_1"));
            assertThat(a.availableCpu()).isCloseTo(8.8, within(1e-9));
            a.accept(web("EG_2"));
            assertThat(a.availableCpu()).isCloseTo(4.8, within(1e-9));
            a.accept(web("EG_3"));
            assertThat(a.availableCpu()).isCloseTo(0.8, within(1e-9));
            assertThat(a.canAccept(web("EG_4"))).isFalse();
            assertThat(a.canAcceptVideoWeb()).isFalse();
            assertThat(a.canAccept(track("EG_4"))).isTrue();
            CpuUsage u = a.cpuUsage();
            assertThat(u.total()).isEqualTo(16);
            assertThat(u.pending()).isEqualTo(12);
            assertThat(u.used()).isZero();
            assertThat(u.active()).isEqualTo(3);
        }

        @Test
        void reservationHoldsFifteenSecondsThenMeasuredCpuCounts() {
            Admission a = new Admission(DEFAULTS, 16, clock);
            a.accept(web("EG_1"));
            a.updateUsage("EG_1", 1.5, 300_000_000L);
            // within the hold the larger of cost and measurement counts
            assertThat(a.availableCpu()).isCloseTo(12.8 - 4, within(1e-9));
            clock.advance(Duration.ofMillis(14_999));
            assertThat(a.availableCpu()).isCloseTo(12.8 - 4, within(1e-9));
            clock.advance(Duration.ofMillis(1));
            assertThat(a.availableCpu()).isCloseTo(12.8 - 1.5, within(1e-9));
            CpuUsage u = a.cpuUsage();
            assertThat(u.pending()).isZero();
            assertThat(u.used()).isEqualTo(1.5);

            // a measurement above the cost counts during the hold too
            a.accept(web("EG_2"));
            a.updateUsage("EG_2", 6, 1);
            assertThat(a.cpuUsage().pending()).isEqualTo(6);
            assertThat(a.availableCpu()).isCloseTo(12.8 - 1.5 - 6, within(1e-9));
        }

        @Test
        void estimatedCpuDecidesTheCheckButTheStaticCostIsReserved() {
            Admission a = new Admission(DEFAULTS, 4, clock);
            a.accept(track("EG_1"));
            assertThat(a.availableCpu()).isCloseTo(2.7, within(1e-9));
            assertThat(a.canAccept(web("EG_2"))).isFalse();
            StartEgressRequest estimated = web("EG_2").toBuilder().setEstimatedCpu(2).build();
            assertThat(a.canAccept(estimated)).isTrue();
            RequestCost cost = a.accept(estimated);
            assertThat(cost.cpu()).isEqualTo(2);
            assertThat(a.availableCpu()).isCloseTo(3.2 - 0.5 - 4, within(1e-9));
            // and a large estimate refuses even a cheap shape
            assertThat(a.canAccept(track("EG_3").toBuilder().setEstimatedCpu(100).build())).isFalse();
        }

        @Test
        void notEnoughCpuIsUnavailableAndChangesNothing() {
            Admission a = new Admission(DEFAULTS, 4, clock);
            a.accept(web("EG_1"));
            assertThatThrownBy(() -> a.accept(web("EG_2")))
                    .isInstanceOf(EgressException.class)
                    .hasMessage("not enough CPU")
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThat(a.activeCount()).isEqualTo(1);
            assertThat(a.activeIds()).containsExactly("EG_1");
        }

        @Test
        void duplicateEgressIdIsAlreadyExists() {
            Admission a = new Admission(DEFAULTS, 64, clock);
            a.accept(track("EG_1"));
            assertThatThrownBy(() -> a.accept(track("EG_1")))
                    .isInstanceOf(EgressException.class)
                    .hasMessage("egress already exists")
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.ALREADY_EXISTS));
            // even after the reservation expired
            clock.advanceSeconds(60);
            assertThatThrownBy(() -> a.accept(track("EG_1")))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.ALREADY_EXISTS));
            assertThat(a.activeCount()).isEqualTo(1);
        }

        @Test
        void endedAndAbortedFreeTheReservation() {
            Admission a = new Admission(DEFAULTS, 16, clock);
            a.accept(web("EG_1"));
            a.accept(track("EG_2"));
            a.updateUsage("EG_1", 2, 500);
            a.updateUsage("EG_1", 4, 700);
            a.updateUsage("EG_1", 3, 600);
            assertThat(a.updateUsage("EG_unknown", 1, 1)).isFalse();

            EgressUsage usage = a.ended("EG_1").orElseThrow();
            assertThat(usage.requestType()).isEqualTo("web");
            assertThat(usage.avgCpu()).isEqualTo(3);
            assertThat(usage.maxCpu()).isEqualTo(4);
            assertThat(usage.maxRssBytes()).isEqualTo(700);
            assertThat(usage.samples()).isEqualTo(3);
            assertThat(a.ended("EG_1")).isEmpty();

            assertThat(a.availableCpu()).isCloseTo(12.8 - 0.5, within(1e-9));
            a.aborted("EG_2");
            assertThat(a.activeCount()).isZero();
            assertThat(a.availableCpu()).isEqualTo(16);
            // the id can be used again
            a.accept(track("EG_2"));
        }

        @Test
        void concurrentAcceptsNeverOverbook() throws Exception {
            Admission a = new Admission(DEFAULTS, 16, clock);
            // idle: the first track fits; then 16 × 0.8 − 0.5·n ≥ 0.5 holds up to n = 24, so 25 in all
            int threads = 100;
            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger accepted = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String id = "EG_" + i;
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        a.accept(track(id));
                        accepted.incrementAndGet();
                    } catch (EgressException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            assertThat(accepted.get()).isEqualTo(25);
            assertThat(a.activeCount()).isEqualTo(25);
            assertThat(a.availableCpu()).isCloseTo(0.3, within(1e-9));
        }

        @Test
        void countsPerRequestType() {
            Admission a = new Admission(DEFAULTS, 64, clock);
            assertThat(a.activeByType()).containsOnlyKeys("room_composite", "web", "participant",
                    "track_composite", "track", "template", "media").allSatisfy((k, v) -> assertThat(v).isZero());
            a.accept(web("EG_1"));
            a.accept(web("EG_2"));
            a.accept(track("EG_3"));
            assertThat(a.activeByType()).containsEntry("web", 2).containsEntry("track", 1)
                    .containsEntry("participant", 0);
            assertThat(a.requestTypeOf("EG_3")).contains("track");
            a.ended("EG_2");
            assertThat(a.activeByType()).containsEntry("web", 1);
        }
    }

    @Nested
    class Memory {

        private final CpuCostConfig memory = config("cpu_cost: {max_memory: 8, memory_cost: 2}");

        @Test
        void pendingMemoryPlusHeadroomMustStayBelowTheMaximum() {
            Admission a = new Admission(memory, 64, clock);
            a.accept(track("EG_1")); // 0 + 0 + 2 + 1 = 3
            a.accept(track("EG_2")); // 0 + 2 + 2 + 1 = 5
            a.accept(track("EG_3")); // 0 + 4 + 2 + 1 = 7
            assertThat(a.canAccept(track("EG_4"))).isFalse(); // 0 + 6 + 2 + 1 = 9
            assertThatThrownBy(() -> a.accept(track("EG_4")))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAVAILABLE));

            // the memory reservation expires with the CPU one; then measured RSS counts
            clock.advanceSeconds(15);
            assertThat(a.canAccept(track("EG_4"))).isTrue();
            a.updateUsage("EG_1", 0.1, 3 * GB);
            a.updateUsage("EG_2", 0.1, 2 * GB);
            assertThat(a.procRssBytes()).isEqualTo(5 * GB);
            assertThat(a.canAccept(track("EG_4"))).isFalse(); // 5 + 0 + 2 + 1 = 8, not below 8
            a.updateUsage("EG_2", 0.1, 2 * GB - 1);
            assertThat(a.canAccept(track("EG_4"))).isTrue();
            a.updateServiceMemory(1);
            assertThat(a.canAccept(track("EG_4"))).isFalse();
            assertThat(a.memoryLoadRatio().orElseThrow()).isCloseTo(5.0 / 8, within(1e-6));
        }

        @Test
        void sdkAudioCompositeUsesItsOwnMemoryCost() {
            Admission a = new Admission(config("cpu_cost: {max_memory: 4, memory_cost: 2, "
                    + "sdk_audio_room_composite_memory_cost: 0.5}"), 64, clock);
            StartEgressRequest sdkAudio = StartEgressRequest.newBuilder().setEgressId("EG_1")
                    .setRoomComposite(org.jegress.api.livekit.RoomCompositeEgressRequest.newBuilder()
                            .setRoomName("r").setAudioOnly(true)).build();
            assertThat(a.canAccept(track("EG_0"))).isTrue(); // 2 + 1 < 4
            a.accept(sdkAudio); // pending 0.5
            assertThat(a.canAccept(track("EG_0"))).isTrue(); // 0.5 + 2 + 1 = 3.5 < 4
            a.accept(sdkAudio.toBuilder().setEgressId("EG_2").build()); // pending 1.0
            assertThat(a.canAccept(track("EG_0"))).isFalse(); // 1 + 2 + 1 = 4
        }

        @Test
        void noMaximumMeansNoMemoryCheck() {
            Admission a = new Admission(config("cpu_cost: {memory_cost: 100}"), 64, clock);
            a.accept(track("EG_1"));
            a.updateUsage("EG_1", 0, 1000 * GB);
            assertThat(a.canAccept(track("EG_2"))).isTrue();
            assertThat(a.memoryLoadRatio()).isEmpty();
            assertThat(a.wouldRejectCgroup()).isEmpty();
        }

        @Test
        void cgroupSourceWithFallbackToRss() {
            Admission a = new Admission(config("cpu_cost: {max_memory: 8, memory_cost: 1, memory_source: cgroup}"),
                    64, clock);
            a.accept(track("EG_1"));
            clock.advanceSeconds(15);
            a.updateUsage("EG_1", 0.1, 1 * GB);
            // cgroup not read yet: falls back to RSS (1 + 0 + 1 + 1 = 3)
            assertThat(a.cgroupMemoryBytes()).isEmpty();
            assertThat(a.canAccept(track("EG_2"))).isTrue();
            a.updateCgroupMemory(OptionalLong.of(6 * GB)); // 6 + 0 + 1 + 1 = 8
            assertThat(a.canAccept(track("EG_2"))).isFalse();
            assertThat(a.wouldRejectCgroup()).contains(true);
            assertThat(a.memoryLoadRatio().orElseThrow()).isEqualTo(0.75);
            a.updateCgroupMemory(OptionalLong.empty());
            assertThat(a.canAccept(track("EG_2"))).isTrue();
        }
    }

    @Nested
    class DisabledAndBid {

        @Test
        void disabledRefusesEverything() {
            Admission a = new Admission(DEFAULTS, 64, clock);
            a.setDisabled(true);
            assertThat(a.isDisabled()).isTrue();
            assertThat(a.canAccept(track("EG_1"))).isFalse();
            assertThat(a.canAcceptVideoWeb()).isFalse();
            assertThat(a.bid(track("EG_1"))).isEqualTo(-1f);
            assertThatThrownBy(() -> a.accept(track("EG_1")))
                    .hasMessage("server is shutting down")
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAVAILABLE));
            a.setDisabled(false);
            assertThat(a.canAccept(track("EG_1"))).isTrue();
        }

        @Test
        void staticBidRule() {
            assertThat(Admission.bid(true, true, true)).isEqualTo(-1f);
            assertThat(Admission.bid(true, true, false)).isEqualTo(-1f);
            assertThat(Admission.bid(false, false, true)).isEqualTo(-1f);
            assertThat(Admission.bid(false, false, false)).isEqualTo(-1f);
            assertThat(Admission.bid(false, true, true)).isEqualTo(0.5f);
            assertThat(Admission.bid(false, true, false)).isEqualTo(1f);
        }

        @Test
        void instanceBidFollowsState() {
            Admission a = new Admission(DEFAULTS, 8, clock);
            assertThat(a.bid(track("EG_1"))).isEqualTo(0.5f);
            a.accept(track("EG_1"));
            assertThat(a.bid(track("EG_2"))).isEqualTo(1f);
            a.accept(web("EG_2")); // 6.4 − 0.5 − 4 = 1.9 left
            assertThat(a.bid(web("EG_3"))).isEqualTo(-1f);
            assertThat(a.bid(track("EG_3"))).isEqualTo(1f);
            for (float b : List.of(a.bid(web("x")), a.bid(track("y")))) {
                assertThat(b).isNotZero();
            }
        }
    }

    @Nested
    class Overload {

        private void sample(Admission a, double load, Object... usage) {
            for (int i = 0; i < usage.length; i += 2) {
                a.updateUsage((String) usage[i], ((Number) usage[i + 1]).doubleValue(), 1);
            }
        }

        @Test
        void sustainedHighCpuStopsTheWorstEgressThenKillsItAfterTheGrace() {
            Admission a = new Admission(DEFAULTS, 16, clock);
            a.accept(web("EG_1"));
            a.accept(track("EG_2"));
            for (int i = 0; i < 9; i++) {
                sample(a, 0.99, "EG_1", 5, "EG_2", 2);
                assertThat(a.evaluateOverload(0.99)).isEmpty();
                clock.advanceSeconds(1);
            }
            sample(a, 0.99, "EG_1", 5, "EG_2", 2);
            List<OverloadAction> actions = a.evaluateOverload(0.99);
            // EG_1 uses 5 of its allowed 4, EG_2 2 of 0.5; the larger usage is chosen
            assertThat(actions).containsExactly(new OverloadAction(OverloadAction.Kind.STOP, "EG_1",
                    HandlerResult.STOPPED_CPU, null));

            for (int i = 0; i < 29; i++) {
                clock.advanceSeconds(1);
                assertThat(a.evaluateOverload(0.99)).isEmpty();
            }
            clock.advanceSeconds(1);
            actions = a.evaluateOverload(0.99);
            assertThat(actions).hasSize(1);
            OverloadAction kill = actions.get(0);
            assertThat(kill.kind()).isEqualTo(OverloadAction.Kind.KILL);
            assertThat(kill.egressId()).isEqualTo("EG_1");
            assertThat(kill.result()).isEqualTo(HandlerResult.KILLED_CPU);
            assertThat(kill.error().code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(kill.error()).hasMessage("CPU exhausted: 5.00 cores used");
        }

        @Test
        void endingTheStoppedEgressCancelsTheKill() {
            Admission a = new Admission(DEFAULTS, 16, clock);
            a.accept(web("EG_1"));
            a.accept(track("EG_2"));
            a.accept(track("EG_3"));
            sample(a, 0.99, "EG_1", 5);
            for (int i = 0; i < 9; i++) {
                a.evaluateOverload(0.99);
            }
            assertThat(a.evaluateOverload(0.99)).extracting(OverloadAction::egressId).containsExactly("EG_1");
            a.ended("EG_1");
            clock.advanceSeconds(60);
            // a new stop needs another 10 high samples
            for (int i = 0; i < 9; i++) {
                assertThat(a.evaluateOverload(0.99)).isEmpty();
            }
        }

        @Test
        void shortDipsDoNotResetButFiveLowSamplesDo() {
            Admission a = new Admission(DEFAULTS, 16, clock);
            a.accept(web("EG_1"));
            a.accept(track("EG_2"));
            sample(a, 0.99, "EG_1", 5);
            for (int i = 0; i < 5; i++) {
                a.evaluateOverload(0.99);
            }
            for (int i = 0; i < 4; i++) {
                a.evaluateOverload(0.5);
            }
            for (int i = 0; i < 4; i++) {
                assertThat(a.evaluateOverload(0.99)).isEmpty();
            }
            assertThat(a.evaluateOverload(0.99)).hasSize(1); // 5 + 5 high samples

            Admission b = new Admission(DEFAULTS, 16, clock);
            b.accept(web("EG_1"));
            b.accept(track("EG_2"));
            sample(b, 0.99, "EG_1", 5);
            for (int i = 0; i < 5; i++) {
                b.evaluateOverload(0.99);
            }
            for (int i = 0; i < 5; i++) {
                b.evaluateOverload(0.5);
            }
            for (int i = 0; i < 9; i++) {
                assertThat(b.evaluateOverload(0.99)).isEmpty();
            }
        }

        @Test
        void noStopWithASingleEgressOrWithoutAnOverBudgetOne() {
            Admission a = new Admission(DEFAULTS, 16, clock);
            a.accept(web("EG_1"));
            sample(a, 1, "EG_1", 15);
            for (int i = 0; i < 20; i++) {
                assertThat(a.evaluateOverload(1)).isEmpty();
            }
            sample(a, 1, "EG_1", 3);
            a.accept(web("EG_2"));
            sample(a, 1, "EG_1", 3, "EG_2", 3); // both within their 4 cores
            for (int i = 0; i < 20; i++) {
                assertThat(a.evaluateOverload(1)).isEmpty();
            }
        }

        @Test
        void thresholdFollowsAHighUtilisationSetting() {
            Admission a = new Admission(config("cpu_cost: {max_cpu_utilization: 0.99}"), 16, clock);
            a.accept(web("EG_1"));
            a.accept(track("EG_2"));
            sample(a, 0.99, "EG_1", 5);
            // threshold (1 + 0.99) / 2 = 0.995
            for (int i = 0; i < 20; i++) {
                assertThat(a.evaluateOverload(0.99)).isEmpty();
            }
            for (int i = 0; i < 9; i++) {
                assertThat(a.evaluateOverload(0.999)).isEmpty();
            }
            assertThat(a.evaluateOverload(0.999)).hasSize(1);
        }

        @Test
        void memoryOverTheMaximumForTheGraceKillsTheLargestEgress() {
            Admission a = new Admission(config("cpu_cost: {max_memory: 4, memory_kill_grace_sec: 5}"), 16, clock);
            a.accept(track("EG_1"));
            a.accept(track("EG_2"));
            a.updateUsage("EG_1", 0.1, 3 * GB);
            a.updateUsage("EG_2", 0.1, 2 * GB);
            assertThat(a.evaluateOverload(0.1)).isEmpty(); // starts the grace
            clock.advanceSeconds(4);
            assertThat(a.evaluateOverload(0.1)).isEmpty();
            clock.advanceSeconds(1);
            List<OverloadAction> actions = a.evaluateOverload(0.1);
            assertThat(actions).hasSize(1);
            assertThat(actions.get(0).egressId()).isEqualTo("EG_1");
            assertThat(actions.get(0).kind()).isEqualTo(OverloadAction.Kind.KILL);
            assertThat(actions.get(0).result()).isEqualTo(HandlerResult.KILLED_OOM);
            assertThat(actions.get(0).error()).hasMessage("OOM: 5.00 GB used");

            // dropping below resets the grace
            a.updateUsage("EG_1", 0.1, 1 * GB);
            assertThat(a.evaluateOverload(0.1)).isEmpty();
            a.updateUsage("EG_1", 0.1, 3 * GB);
            assertThat(a.evaluateOverload(0.1)).isEmpty();
            clock.advanceSeconds(4);
            assertThat(a.evaluateOverload(0.1)).isEmpty();
        }

        @Test
        void zeroMemoryGraceKillsImmediately() {
            Admission a = new Admission(config("cpu_cost: {max_memory: 2}"), 16, clock);
            a.accept(track("EG_1"));
            a.updateUsage("EG_1", 0.1, 3 * GB);
            assertThat(a.evaluateOverload(0.1)).extracting(OverloadAction::result)
                    .containsExactly(HandlerResult.KILLED_OOM);
        }
    }
}
