package org.jegress.sources.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.github.kklisura.cdt.protocol.events.network.ResponseReceived;
import com.github.kklisura.cdt.protocol.events.runtime.ConsoleAPICalled;
import com.github.kklisura.cdt.protocol.types.network.ResourceType;
import com.github.kklisura.cdt.protocol.types.page.Navigate;
import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.protocol.types.runtime.RemoteObject;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.impl.ChromeServiceImpl;
import com.github.kklisura.cdt.services.types.ChromeTab;

import org.jegress.api.config.EgressConfig;
import org.jegress.api.error.EgressException;
import org.jegress.sources.process.ManagedProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chromium in kiosk mode on a virtual display, driven over the DevTools protocol: navigation with the upstream
 * page-load rules, and the page's {@code START_RECORDING} / {@code END_RECORDING} console signals.
 */
final class ChromiumBrowser implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChromiumBrowser.class);

    static final String START_RECORDING = "START_RECORDING";
    static final String END_RECORDING = "END_RECORDING";

    /** Upstream: a page gets 30 s to load, and three attempts when the load times out or the connection drops. */
    static final long PAGE_LOAD_TIMEOUT_MS = 30_000;
    static final int PAGE_LOAD_ATTEMPTS = 3;
    private static final List<String> RETRYABLE = List.of("net::ERR_CERT_VERIFIER_CHANGED",
            "net::ERR_CONNECTION_CLOSED");

    private final ManagedProcess process;
    private final ChromeDevToolsService devtools;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    private ChromiumBrowser(ManagedProcess process, ChromeDevToolsService devtools) {
        this.process = process;
        this.devtools = devtools;
    }

    /**
     * Launches Chromium on the display, playing audio into the pulse server, and attaches to its first tab.
     */
    static ChromiumBrowser launch(String display, PulseServer pulse, int width, int height, EgressConfig config,
            Path workDir) throws InterruptedException {
        Path profile = workDir.resolve("chrome");
        try {
            Files.createDirectories(profile);
        } catch (IOException e) {
            throw EgressException.processFailed("chrome", e.getMessage());
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(binary());
        cmd.addAll(flags(width, height, config));
        cmd.add("--user-data-dir=" + profile);
        cmd.add("about:blank");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DISPLAY", display);
        env.put("PULSE_SERVER", pulse.server());
        env.put("PULSE_SINK", pulse.sink());
        ManagedProcess p = ManagedProcess.start("chrome", cmd, env, workDir.resolve("chrome.log"), false);
        try {
            int port = awaitDevToolsPort(profile.resolve("DevToolsActivePort"), p);
            ChromeServiceImpl service = new ChromeServiceImpl("127.0.0.1", port);
            ChromeTab tab = awaitPageTab(service, p);
            ChromeDevToolsService devtools = service.createDevToolsService(tab);
            ChromiumBrowser b = new ChromiumBrowser(p, devtools);
            b.listen();
            return b;
        } catch (RuntimeException | InterruptedException e) {
            p.close();
            throw e;
        }
    }

    /**
     * The upstream flag set (puppeteer-like defaults, kiosk, autoplay without a gesture, sRGB), plus the switches
     * that stop Chromium from phoning home, which on a closed network only produces refused connections. WebRTC
     * host candidates carry real addresses rather than mDNS names: a recorder is no one's privacy to protect, and a
     * closed network (a private cluster, a test namespace) has no mDNS to resolve them.
     */
    static List<String> flags(int width, int height, EgressConfig config) {
        List<String> f = new ArrayList<>(List.of(
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-gpu",
                "--disable-infobars",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows",
                "--disable-breakpad",
                "--disable-client-side-phishing-detection",
                "--disable-default-apps",
                "--disable-dev-shm-usage",
                "--disable-extensions",
                "--disable-features=AudioServiceOutOfProcess,site-per-process,Translate,TranslateUI,"
                        + "BlinkGenPropertyTrees,MediaRouter,OptimizationHints,WebRtcHideLocalIpsWithMdns",
                // 85 ms audio callbacks instead of 10 ms: on a busy machine the page's audio thread missed 10 ms
                // deadlines and the sound server played silence in between (0.75-0.87 of 100 ms blocks clean with
                // two cores busy, 0.96-1.0 with this; Chromium accounts for the extra output latency itself)
                "--audio-buffer-size=4096",
                "--disable-hang-monitor",
                "--disable-ipc-flooding-protection",
                "--disable-popup-blocking",
                "--disable-prompt-on-repost",
                "--disable-renderer-backgrounding",
                "--disable-sync",
                "--force-color-profile=srgb",
                "--metrics-recording-only",
                "--safebrowsing-disable-auto-update",
                "--password-store=basic",
                "--use-mock-keychain",
                "--kiosk",
                "--disable-translate",
                "--autoplay-policy=no-user-gesture-required",
                "--window-position=0,0",
                "--window-size=" + width + "," + height,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0"));
        if (config.insecure()) {
            f.add("--disable-web-security");
            f.add("--allow-running-insecure-content");
        }
        if (!config.enableChromeSandbox()) {
            f.add("--no-sandbox");
        }
        if (config.chromeFlags() != null) {
            for (Map.Entry<String, Object> e : config.chromeFlags().entrySet()) {
                Object v = e.getValue();
                if (Boolean.TRUE.equals(v) || v == null) {
                    f.add("--" + e.getKey());
                } else if (!Boolean.FALSE.equals(v)) {
                    f.add("--" + e.getKey() + "=" + v);
                }
            }
        }
        return f;
    }

    /**
     * The Chromium binary: {@code CHROME_BIN} if set, else Debian's real binary (bypassing its wrapper script,
     * which adds flags of its own), else whatever is on the PATH.
     */
    static String binary() {
        String env = System.getenv("CHROME_BIN");
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String candidate : List.of("/usr/lib/chromium/chromium", "/usr/bin/chromium",
                "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "chromium";
    }

    /** Chromium writes the port it picked to DevToolsActivePort in the profile once DevTools listens. */
    private static int awaitDevToolsPort(Path file, ManagedProcess p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw EgressException.processFailed("chrome", p.tail(5));
            }
            try {
                if (Files.exists(file)) {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
                    if (!lines.isEmpty() && lines.get(0).matches("\\d+")) {
                        return Integer.parseInt(lines.get(0));
                    }
                }
            } catch (IOException e) {
                // written but not complete yet
            }
            Thread.sleep(25);
        }
        throw EgressException.processFailed("chrome", "DevTools did not come up within 20 s");
    }

    private static ChromeTab awaitPageTab(ChromeServiceImpl service, ManagedProcess p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        RuntimeException last = null;
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                for (ChromeTab t : service.getTabs()) {
                    if ("page".equals(t.getType())) {
                        return t;
                    }
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw EgressException.processFailed("chrome", "no page target" + (last == null ? "" : ": " + last.getMessage()));
    }

    private void listen() {
        devtools.getRuntime().onConsoleAPICalled(this::onConsole);
        devtools.getInspector().onTargetCrashed(e -> {
            LOG.error("chrome: page crashed");
            ended.completeExceptionally(EgressException.internal("chrome crashed", null));
        });
        devtools.getRuntime().enable();
        devtools.getPage().enable();
        devtools.getNetwork().enable();
        devtools.getInspector().enable();
        process.onExit().thenRun(() -> ended.completeExceptionally(
                EgressException.internal("chrome exited unexpectedly", null)));
    }

    private void onConsole(ConsoleAPICalled e) {
        if (e.getArgs() == null) {
            return;
        }
        for (RemoteObject arg : e.getArgs()) {
            Object v = arg.getValue();
            if (START_RECORDING.equals(v)) {
                LOG.info("chrome: START_RECORDING");
                started.complete(null);
            } else if (END_RECORDING.equals(v)) {
                LOG.info("chrome: END_RECORDING");
                ended.complete(null);
            }
        }
    }

    /**
     * Opens the page: up to three attempts of 30 s, retrying timeouts and dropped connections; an HTTP status of
     * 400 or more is "page load error: &lt;status text&gt;", a {@code div.error} element "template error: &lt;text&gt;".
     */
    void navigate(String url) throws InterruptedException {
        EgressException last = null;
        for (int attempt = 1; attempt <= PAGE_LOAD_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                LOG.info("chrome: navigation attempt {} of {}", attempt, PAGE_LOAD_ATTEMPTS);
            }
            try {
                navigateOnce(url);
                return;
            } catch (RetryableLoadError e) {
                last = e.error;
            }
        }
        throw Objects.requireNonNull(last);
    }

    /** A load failure worth another attempt. */
    private static final class RetryableLoadError extends Exception {
        private static final long serialVersionUID = 1L;
        final transient EgressException error;

        RetryableLoadError(EgressException error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }

    private void navigateOnce(String url) throws InterruptedException, RetryableLoadError {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        CompletableFuture<ResponseReceived> document = new CompletableFuture<>();
        var loadListener = devtools.getPage().onLoadEventFired(e -> loaded.complete(null));
        var responseListener = devtools.getNetwork().onResponseReceived(e -> {
            if (e.getType() == ResourceType.DOCUMENT) {
                document.complete(e);
            }
        });
        try {
            Navigate nav = devtools.getPage().navigate(url);
            if (nav.getErrorText() != null && !nav.getErrorText().isEmpty()) {
                EgressException err = EgressException.pageLoadError(nav.getErrorText());
                if (RETRYABLE.stream().anyMatch(nav.getErrorText()::contains)) {
                    throw new RetryableLoadError(err);
                }
                throw err;
            }
            CompletableFuture.anyOf(loaded, ended.handle((v, e) -> null))
                    .get(PAGE_LOAD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            ResponseReceived r = document.getNow(null);
            if (r != null && r.getResponse().getStatus() != null && r.getResponse().getStatus() >= 400) {
                String text = r.getResponse().getStatusText();
                throw EgressException.pageLoadError(text == null || text.isEmpty()
                        ? String.valueOf(r.getResponse().getStatus()) : text);
            }
            String error = templateError();
            if (!error.isEmpty()) {
                throw EgressException.templateError(error);
            }
        } catch (TimeoutException e) {
            throw new RetryableLoadError(EgressException.pageLoadError("timed out"));
        } catch (ExecutionException e) {
            throw EgressException.pageLoadError(String.valueOf(e.getCause()));
        } catch (RuntimeException e) {
            if (e instanceof EgressException) {
                throw e;
            }
            throw EgressException.pageLoadError(String.valueOf(e.getMessage()));
        } finally {
            loadListener.unsubscribe();
            responseListener.unsubscribe();
        }
    }

    /** The text of the page's {@code div.error} (upstream's template error element), or "" if it has none. */
    String templateError() {
        return evaluateString("(document.querySelector('div.error') || {}).innerText || ''");
    }

    private String evaluateString(String expression) {
        Evaluate r = devtools.getRuntime().evaluate(expression);
        if (r.getExceptionDetails() != null || r.getResult() == null || r.getResult().getValue() == null) {
            return "";
        }
        return String.valueOf(r.getResult().getValue());
    }

    /** Completes when the page logs START_RECORDING. */
    CompletableFuture<Void> started() {
        return started;
    }

    /** Completes when the page logs END_RECORDING; exceptionally if the page crashed or Chromium exited. */
    CompletableFuture<Void> ended() {
        return ended;
    }

    /** Chromium still runs and its page has neither crashed nor ended. */
    boolean isAlive() {
        return process.isAlive() && !ended.isDone();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            devtools.close();
        } catch (RuntimeException e) {
            LOG.debug("chrome: closing devtools: {}", e.toString());
        }
        process.close();
    }
}
