package org.jegress.sources.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.event.EOSEvent;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.RequestType;
import org.jegress.pipeline.gst.GstDescription;
import org.jegress.pipeline.gst.GstNatives;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.RecordingInputs;
import org.jegress.pipeline.spi.SourceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a web page: Xvfb sized from the encoding, a private PulseAudio server, Chromium in kiosk mode;
 * GStreamer captures the display with ximagesrc and the null sink's monitor with pulsesrc. A room composite is the
 * same with the template's URL: {@code <base>?layout=&url=&token=}, the recorder's token and the room's WebSocket
 * URL in the query (upstream's template contract), and a template error shown while it waits for media ends it.
 */
final class WebSource implements MediaSource {

    private static final Logger LOG = LoggerFactory.getLogger(WebSource.class);

    private final EgressPlan plan;
    private final SourceContext context;
    private final CompletableFuture<Void> start = new CompletableFuture<>();
    private final CompletableFuture<Void> end = new CompletableFuture<>();
    private VirtualDisplay display;
    private PulseServer pulse;
    private ChromiumBrowser chrome;
    /** The browser a spare handler started ahead of time, when this egress took it. */
    private WarmBrowser warm;
    private Bin videoBin;
    private Bin audioBin;
    private volatile boolean closed;

    WebSource(EgressPlan plan, SourceContext context) {
        this.plan = plan;
        this.context = context;
        if (!plan.web().awaitStartSignal()) {
            start.complete(null);
        }
    }

    @Override
    public void prepare() throws InterruptedException {
        GstRuntime.ensureInitialized();
        long t0 = System.nanoTime();
        warm = WarmBrowser.take(plan.video().width(), plan.video().height(), plan.video().depth(), context.config())
                .orElse(null);
        if (warm != null) {
            display = warm.display;
            pulse = warm.pulse;
            chrome = warm.chrome;
            LOG.info("{}: using the warm browser on {}", plan.egressId(), display.display());
        } else {
            // The display and the sound server do not need each other: start them side by side.
            CompletableFuture<VirtualDisplay> x = CompletableFuture.supplyAsync(() -> VirtualDisplay.start(
                    plan.video().width(), plan.video().height(), plan.video().depth(), context.workDir()));
            try {
                pulse = PulseServer.start(plan.egressId(), context.workDir());
            } finally {
                display = awaitDisplay(x);
            }
            chrome = ChromiumBrowser.launch(display.display(), pulse, plan.video().width(), plan.video().height(),
                    context.config(), context.workDir());
        }
        long launched = System.nanoTime();
        chrome.started().thenRun(() -> start.complete(null));
        chrome.ended().whenComplete((v, e) -> complete(e));
        display.onExit().thenRun(() -> complete(EgressException.internal("X display exited unexpectedly", null)));
        pulse.onExit().thenRun(() -> complete(EgressException.internal("pulse server exited unexpectedly", null)));
        chrome.navigate(pageUrl(plan));
        if (plan.requestType() != RequestType.WEB) {
            watchForTemplateErrors();
        }
        LOG.info("{}: page loaded on {} (launch {} ms, load {} ms)", plan.egressId(), display.display(),
                (launched - t0) / 1_000_000, (System.nanoTime() - launched) / 1_000_000);
    }

    /** The page Chromium opens: the web egress's URL, or the template with upstream's query parameters. */
    static String pageUrl(EgressPlan plan) {
        if (plan.requestType() == RequestType.WEB) {
            return plan.web().url();
        }
        String base = plan.web().url();
        String query = "layout=" + encode(plan.web().layout()) + "&url=" + encode(plan.room().wsUrl())
                + "&token=" + encode(plan.room().token());
        int fragment = base.indexOf('#');
        String head = fragment < 0 ? base : base.substring(0, fragment);
        String tail = fragment < 0 ? "" : base.substring(fragment);
        return head + (head.contains("?") ? "&" : "?") + query + tail;
    }

    private static String encode(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    /**
     * A template shows a {@code div.error} when it cannot join (bad token, room refused): checked every half second
     * until it signals start, so such a composite fails with the template's message instead of waiting forever.
     */
    private void watchForTemplateErrors() {
        Thread t = new Thread(() -> {
            try {
                while (!closed && !start.isDone() && !end.isDone()) {
                    String error = chrome.templateError();
                    if (!error.isEmpty()) {
                        LOG.warn("{}: template error: {}", plan.egressId(), error);
                        complete(EgressException.templateError(error));
                        return;
                    }
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("{}: template error watch: {}", plan.egressId(), e.toString());
            }
        }, "template-watch-" + plan.egressId());
        t.setDaemon(true);
        t.start();
    }

    private static VirtualDisplay awaitDisplay(CompletableFuture<VirtualDisplay> x) throws InterruptedException {
        try {
            return x.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException ? (RuntimeException) c : EgressException.internal("xvfb", c);
        }
    }

    private void complete(Throwable error) {
        if (closed) {
            return;
        }
        if (error == null) {
            end.complete(null);
        } else {
            end.completeExceptionally(error);
        }
    }

    @Override
    public CompletableFuture<Void> startSignal() {
        return start;
    }

    @Override
    public CompletableFuture<Void> endSignal() {
        return end;
    }

    @Override
    public void attach(RecordingInputs inputs) {
        if (plan.video().enabled()) {
            videoBin = connect(inputs, videoSource(), inputs.videoInput(), "video");
        }
        if (plan.audio().enabled()) {
            audioBin = connect(inputs, audioSource(), inputs.audioInput(AudioChannel.AUDIO_CHANNEL_BOTH), "audio");
        }
    }

    private static Bin connect(RecordingInputs inputs, Bin source, Pad input, String kind) {
        inputs.pipeline().add(source);
        try {
            source.getStaticPad("src").link(input);
        } catch (PadLinkException e) {
            throw EgressException.internal("failed to link the " + kind + " capture: " + e.getLinkResult(), e);
        }
        source.syncStateWithParent();
        return source;
    }

    @Override
    public void endMedia() {
        for (Bin bin : new Bin[] {videoBin, audioBin}) {
            if (bin != null) {
                bin.sendEvent(new EOSEvent());
            }
        }
    }

    // Bin descriptions end in an explicit capsfilter: the parser reads bare caps only between two elements.
    private Bin videoSource() {
        Bin bin = Gst.parseBinFromDescription("ximagesrc display-name=" + GstDescription.quote(display.display())
                + " use-damage=false show-pointer=false ! capsfilter caps=\"video/x-raw,framerate="
                + plan.video().framerate() + "/1\"",
                true);
        bin.setName("display_capture");
        return bin;
    }

    /**
     * The null sink's monitor. provide-clock=false keeps the pipeline on the monotonic system clock: a pulse
     * clock stands still until the pulse stream is running (about a second), and everything captured meanwhile
     * would be stamped with the same time and dropped. re-timestamp stamps buffers with their capture time instead
     * of resampling towards the clock ("skew"), which keeps sound and picture in sync without clicks.
     *
     * <p>The sound is stamped as it is heard, the picture as it is grabbed, but a grabbed picture was drawn earlier:
     * Chromium composites a frame a vsync or two (60 Hz) after the page drew it, and the capture finds it on
     * screen half a frame interval later on average. Measured with the demo page's flashes and beeps, the sound led
     * the picture by 30-70 ms (up to 0.12 s on a busy machine); it is delayed by that lag's estimate.
     */
    private Bin audioSource() {
        Bin bin = Gst.parseBinFromDescription("pulsesrc provide-clock=false slave-method=re-timestamp server="
                + GstDescription.quote(pulse.server())
                + " device=" + GstDescription.quote(pulse.monitorDevice())
                + " client-name=egress ! capsfilter caps=\"audio/x-raw,channels=2\"", true);
        bin.setName("sound_capture");
        GstNatives.setOffset(bin.getStaticPad("src"), pictureLagNs(plan.video().framerate()));
        return bin;
    }

    /** How much later than it was drawn a page's picture is captured: two 60 Hz vsyncs plus half a frame. */
    static long pictureLagNs(int framerate) {
        return 33_000_000L + 500_000_000L / Math.max(1, framerate);
    }

    @Override
    public String describe() {
        return plan.requestType() == RequestType.WEB ? "web page " + plan.web().url()
                : "room " + plan.room().roomName() + " through template " + plan.web().url()
                        + (plan.web().layout().isEmpty() ? "" : " (" + plan.web().layout() + ")");
    }

    @Override
    public void close() {
        closed = true;
        if (warm != null) {
            warm.close();
            return;
        }
        if (chrome != null) {
            chrome.close();
        }
        if (display != null) {
            display.close();
        }
        if (pulse != null) {
            pulse.close();
        }
    }
}
