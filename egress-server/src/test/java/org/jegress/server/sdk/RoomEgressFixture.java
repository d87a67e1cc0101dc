package org.jegress.server.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.plan.EgressIds;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;
import org.jegress.sources.room.harness.LiveKitEnvironment;
import org.jegress.sources.room.harness.LiveKitServer;

/** Starts room egresses in this JVM against the test namespace's livekit-server and waits for their states. */
final class RoomEgressFixture {

    private final EgressOptions options;

    RoomEgressFixture(LiveKitEnvironment env, Path dir) {
        this(env, dir, "");
    }

    /** @param extraYaml more worker config (storage endpoints, …) */
    RoomEgressFixture(LiveKitEnvironment env, Path dir, String extraYaml) {
        String yaml = String.join("\n",
                "api_key: " + LiveKitServer.API_KEY,
                "api_secret: " + LiveKitServer.API_SECRET,
                "ws_url: " + env.server().wsUrl(),
                "") + extraYaml;
        options = EgressOptions.defaults().withConfig(ConfigLoader.parse(yaml, Map.of())).withOutputDirectory(dir)
                .withWorkRoot(dir.resolve("work"));
    }

    EgressOptions options() {
        return options;
    }

    static StartEgressRequest.Builder rpc(String room) {
        return StartEgressRequest.newBuilder().setEgressId(EgressIds.newEgressId()).setRoomName(room);
    }

    /** A running egress and the statuses it went through. */
    static final class Running {
        final EgressHandle handle;
        final List<EgressStatus> statuses = new CopyOnWriteArrayList<>();
        final CountDownLatch active = new CountDownLatch(1);
        volatile long activeAtNanos;
        final long startedNanos = System.nanoTime();

        Running(EgressHandle handle) {
            this.handle = handle;
            handle.addListener(info -> {
                statuses.add(info.getStatus());
                if (info.getStatus() == EgressStatus.EGRESS_ACTIVE && activeAtNanos == 0) {
                    activeAtNanos = System.nanoTime();
                    active.countDown();
                }
            });
        }

        Running awaitActive() throws InterruptedException {
            assertThat(active.await(45, TimeUnit.SECONDS)).as("reached ACTIVE: %s", handle.info()).isTrue();
            return this;
        }

        /** Milliseconds from start() to ACTIVE. */
        long startLatencyMillis() {
            return TimeUnit.NANOSECONDS.toMillis(activeAtNanos - startedNanos);
        }

        EgressInfo stopAndWait() throws InterruptedException {
            handle.stop();
            return awaitEnd();
        }

        EgressInfo awaitEnd() throws InterruptedException {
            return handle.awaitCompletion(Duration.ofSeconds(60)).orElseThrow(
                    () -> new AssertionError("egress did not end: " + handle.info()));
        }
    }

    Running start(StartEgressRequest.Builder request) {
        return new Running(Egress.start(request.build(), options));
    }
}
