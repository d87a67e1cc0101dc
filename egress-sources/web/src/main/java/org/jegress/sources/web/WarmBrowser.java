package org.jegress.sources.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.jegress.api.config.EgressConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Xvfb + PulseAudio + Chromium started ahead of time for the default size (1280×720×24), so that a web egress or
 * room composite handed to a spare handler only navigates. At most one per process; used by one egress, never
 * reused: its egress closes it like any other browser, and the next spare starts a new one. A request of another
 * size, or of a config with other Chromium flags, starts a fresh browser as before.
 */
public final class WarmBrowser {

    private static final Logger LOG = LoggerFactory.getLogger(WarmBrowser.class);

    /** The size upstream's default preset records (H264_720P_30) and most requests use. */
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 720;
    public static final int DEPTH = 24;

    /**
     * Prefix of the directory a warm browser runs in, followed by the pid of the process that owns it: its helpers'
     * command lines carry it, so leak checks can tell a live spare's browser from one left behind.
     */
    public static final String DIR_PREFIX = "warm-browser-";

    private static WarmBrowser current;
    /** The launch under way, or done. */
    private static CompletableFuture<Void> warming = CompletableFuture.completedFuture(null);
    /** Set by a discard: a launch that finishes afterwards closes what it started. */
    private static boolean unwanted;
    private static final Duration TAKE_WAIT = Duration.ofSeconds(5);
    private static final Duration DISCARD_WAIT = Duration.ofSeconds(15);

    final VirtualDisplay display;
    final PulseServer pulse;
    final ChromiumBrowser chrome;
    final Path dir;
    private final java.util.List<String> flags;

    private WarmBrowser(VirtualDisplay display, PulseServer pulse, ChromiumBrowser chrome, Path dir,
            java.util.List<String> flags) {
        this.display = display;
        this.pulse = pulse;
        this.chrome = chrome;
        this.dir = dir;
        this.flags = flags;
    }

    /**
     * Starts one for {@code config} under {@code root} on a thread of its own (replacing any earlier one), so that the
     * spare answers its first command at once: a light egress needs no browser and must not wait for one (a launch
     * stalled for 10 s in a loaded CI run, and the spare's egress with it). Failures are only logged: the egress then
     * starts its browser itself.
     */
    public static void prewarmInBackground(EgressConfig config, Path root) {
        discard(); // outside the lock: it may wait for an earlier launch, which needs the lock to finish
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (WarmBrowser.class) {
            unwanted = false;
            warming = done;
        }
        Thread t = new Thread(() -> {
            try {
                publish(launch(config, root));
            } finally {
                done.complete(null);
            }
        }, "warm-browser");
        t.setDaemon(true);
        t.start();
    }

    private static WarmBrowser launch(EgressConfig config, Path root) {
        long t0 = System.nanoTime();
        Path dir = root.resolve(DIR_PREFIX + ProcessHandle.current().pid());
        VirtualDisplay x = null;
        PulseServer p = null;
        try {
            Files.createDirectories(dir);
            x = VirtualDisplay.start(WIDTH, HEIGHT, DEPTH, dir);
            p = PulseServer.start("egress", dir);
            ChromiumBrowser c = ChromiumBrowser.launch(x.display(), p, WIDTH, HEIGHT, config, dir);
            LOG.info("warm browser ready on {} in {} ms", x.display(), (System.nanoTime() - t0) / 1_000_000);
            return new WarmBrowser(x, p, c, dir, ChromiumBrowser.flags(WIDTH, HEIGHT, config));
        } catch (IOException | RuntimeException e) {
            LOG.warn("warm browser: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (x != null) {
            x.close();
        }
        if (p != null) {
            p.close();
        }
        delete(dir);
        return null;
    }

    /** Makes a finished launch the warm browser, unless it was discarded meanwhile. */
    private static void publish(WarmBrowser w) {
        if (w == null) {
            return;
        }
        synchronized (WarmBrowser.class) {
            if (!unwanted) {
                current = w;
                return;
            }
        }
        w.close();
    }

    /** Waits (at most {@code max}) for a launch still under way. */
    private static void awaitLaunch(Duration max) {
        CompletableFuture<Void> f;
        synchronized (WarmBrowser.class) {
            f = warming;
        }
        try {
            f.get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("warm browser still launching after {}", max);
        }
    }

    /**
     * The warm browser, if there is one of this size and its flags match the config's; the caller owns it then. A
     * launch under way is waited for a while: it is nearly always sooner than a launch of one's own.
     */
    static Optional<WarmBrowser> take(int width, int height, int depth, EgressConfig config) {
        awaitLaunch(TAKE_WAIT);
        synchronized (WarmBrowser.class) {
            WarmBrowser w = current;
            if (w == null || width != WIDTH || height != HEIGHT || depth != DEPTH
                    || !w.flags.equals(ChromiumBrowser.flags(WIDTH, HEIGHT, config)) || !w.chrome.isAlive()) {
                return Optional.empty();
            }
            current = null;
            return Optional.of(w);
        }
    }

    /**
     * Stops the warm browser nobody took (the spare got an egress that needs none, or is released). A launch under
     * way is waited for (bounded) and stopped too, so no browser outlives its handler.
     */
    public static void discard() {
        WarmBrowser w;
        synchronized (WarmBrowser.class) {
            unwanted = true;
            w = current;
            current = null;
        }
        if (w != null) {
            w.close();
        }
        awaitLaunch(DISCARD_WAIT);
    }

    /**
     * As {@link #discard()}, a few seconds later on a background thread: an egress without a browser starts first,
     * without Chromium's teardown (or the rest of its launch) competing for the CPU. A {@link #take} in between still
     * gets nothing.
     */
    public static void discardLater(Duration delay) {
        WarmBrowser w;
        synchronized (WarmBrowser.class) {
            unwanted = true;
            w = current;
            current = null;
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (w != null) {
                w.close();
            }
            awaitLaunch(DISCARD_WAIT); // a launch still under way closes what it made itself (publish)
        }, "warm-browser-discard");
        t.setDaemon(false); // finish the teardown even if the handler is about to exit
        t.start();
    }

    void close() {
        chrome.close();
        display.close();
        pulse.close();
        delete(dir);
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.debug("warm browser: deleting {}: {}", dir, e.toString());
        }
    }
}
