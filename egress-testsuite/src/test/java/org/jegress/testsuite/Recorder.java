package org.jegress.testsuite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.EgressStatus;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.pipeline.Egress;
import org.jegress.pipeline.EgressHandle;
import org.jegress.pipeline.EgressOptions;

/** Runs egresses over {@link TestSources} for a test: start, wait for ACTIVE, record, stop, collect what was published. */
final class Recorder {

    private final EgressOptions options;

    Recorder(Path dir) {
        this(dir, "");
    }

    /** @param configYaml worker config keys the egress runs with (session limits, …) */
    Recorder(Path dir, String configYaml) {
        LogTail.install();
        this.options = EgressOptions.defaults()
                .withConfig(ConfigLoader.parse(configYaml, java.util.Map.of()))
                .withOutputDirectory(dir)
                .withWorkRoot(dir.resolve("work"))
                .withSourceProvider(new TestSources());
    }

    EgressOptions options() {
        return options;
    }

    /** A running egress and every EgressInfo it published. */
    static final class Running {
        final EgressHandle handle;
        final List<EgressInfo> published = new CopyOnWriteArrayList<>();

        Running(EgressHandle handle) {
            this.handle = handle;
            handle.addListener(published::add);
        }

        /** Waits for a published EgressInfo matching {@code test}. */
        EgressInfo await(Predicate<EgressInfo> test, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (EgressInfo i : published) {
                    if (test.test(i)) {
                        return i;
                    }
                }
                if (test.test(handle.info())) {
                    return handle.info();
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no matching EgressInfo within " + timeout + "; last: " + handle.info());
        }

        EgressInfo awaitActive() throws InterruptedException {
            return await(i -> i.getStatus() == EgressStatus.EGRESS_ACTIVE, Duration.ofSeconds(20));
        }

        EgressInfo stopAndAwait() throws InterruptedException {
            handle.stop();
            return awaitEnd();
        }

        EgressInfo awaitEnd() throws InterruptedException {
            EgressInfo end = handle.awaitCompletion(Duration.ofSeconds(60)).orElseThrow(
                    () -> new AssertionError("egress did not end; " + handle.info() + "\n" + threads()));
            if (end.getStatus() == EgressStatus.EGRESS_FAILED
                    && EgressException.pipelineFrozen().getMessage().equals(end.getError())) {
                // no test here expects a freeze: say where it stood, which outputs never finished
                throw new AssertionError("pipeline frozen; the egress warned:\n"
                        + String.join("\n", LogTail.warnings(handle.egressId())) + "\nlast info: " + end);
            }
            return end;
        }

        /** Where every thread stands, for a test that waited in vain. */
        private static String threads() {
            StringBuilder sb = new StringBuilder();
            Thread.getAllStackTraces().forEach((t, stack) -> {
                sb.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
                for (StackTraceElement e : stack) {
                    sb.append("    at ").append(e).append('\n');
                }
            });
            return sb.toString();
        }

        List<EgressStatus> statuses() {
            return published.stream().map(EgressInfo::getStatus).distinct().toList();
        }
    }

    Running start(WebEgressRequest.Builder request) {
        return new Running(Egress.start(request.build(), options));
    }

    Running start(WebEgressRequest.Builder request, EgressOptions custom) {
        return new Running(Egress.start(request.build(), custom));
    }

    /** Records {@code seconds} of media after ACTIVE, stops and returns the final info, which must be COMPLETE. */
    EgressInfo record(WebEgressRequest.Builder request, double seconds) throws InterruptedException {
        Running r = start(request);
        r.awaitActive();
        Thread.sleep((long) (seconds * 1000));
        EgressInfo end = r.stopAndAwait();
        assertThat(end.getStatus()).as(end.getError()).isEqualTo(EgressStatus.EGRESS_COMPLETE);
        assertThat(r.statuses()).containsExactly(EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING,
                EgressStatus.EGRESS_COMPLETE);
        return end;
    }

    static void sleep(Duration d) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(d.toMillis());
    }

    static <T> T await(CompletableFuture<T> f, Duration timeout) throws Exception {
        return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
