package org.jegress.testsuite;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.event.EOSEvent;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.SourceKind;
import org.jegress.pipeline.gst.GstRuntime;
import org.jegress.pipeline.spi.MediaSource;
import org.jegress.pipeline.spi.RecordingInputs;
import org.jegress.pipeline.spi.SourceContext;
import org.jegress.pipeline.spi.SourceProvider;

/**
 * A source of test media for web requests whose URL is {@link #URL}: a moving picture ({@code videotestsrc}) and a
 * tone ({@code audiotestsrc}), live, so recordings behave as with a browser but cost a fraction of one. Query
 * parameters: {@code pattern} (videotestsrc pattern, default {@code ball}), {@code tone} (Hz, default 440),
 * {@code wave} (audiotestsrc wave, default {@code sine}; {@code ticks} gives one beep a second). Hand it in with
 * {@code EgressOptions.withSourceProvider(new TestSources())}.
 */
public final class TestSources implements SourceProvider {

    public static final String URL = "http://testsrc.invalid/";

    /** The request URL for test media with these query parameters, e.g. {@code "tone=880"}. */
    public static String url(String query) {
        return query == null || query.isEmpty() ? URL : URL + "?" + query;
    }

    @Override
    public boolean supports(EgressPlan plan) {
        return plan.sourceKind() == SourceKind.WEB && plan.web() != null && plan.web().url().startsWith(URL);
    }

    @Override
    public MediaSource create(EgressPlan plan, SourceContext context) {
        return new TestSource(plan, query(plan.web().url()));
    }

    private static Map<String, String> query(String url) {
        Map<String, String> q = new HashMap<>();
        String raw = URI.create(url).getRawQuery();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        return q;
    }

    private static final class TestSource implements MediaSource {
        private final EgressPlan plan;
        private final Map<String, String> params;
        private final CompletableFuture<Void> start = CompletableFuture.completedFuture(null);
        private final CompletableFuture<Void> end = new CompletableFuture<>();
        private Bin video;
        private Bin audio;

        TestSource(EgressPlan plan, Map<String, String> params) {
            this.plan = plan;
            this.params = params;
        }

        @Override
        public void prepare() {
            GstRuntime.ensureInitialized();
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
                video = connect(inputs, "videotestsrc is-live=true pattern=" + params.getOrDefault("pattern", "ball")
                        + " ! capsfilter caps=\"video/x-raw,width=" + plan.video().width() + ",height="
                        + plan.video().height() + ",framerate=" + plan.video().framerate() + "/1\"",
                        inputs.videoInput());
            }
            if (plan.audio().enabled()) {
                audio = connect(inputs, "audiotestsrc is-live=true wave=" + params.getOrDefault("wave", "sine")
                        + " freq=" + params.getOrDefault("tone", "440") + " volume=0.4"
                        + " ! capsfilter caps=\"audio/x-raw,rate=48000,channels=2\"",
                        inputs.audioInput(AudioChannel.AUDIO_CHANNEL_BOTH));
            }
        }

        private static Bin connect(RecordingInputs inputs, String description, Pad input) {
            Bin bin = Gst.parseBinFromDescription(description, true);
            inputs.pipeline().add(bin);
            try {
                bin.getStaticPad("src").link(input);
            } catch (PadLinkException e) {
                throw EgressException.internal("test source: " + e.getLinkResult(), e);
            }
            bin.syncStateWithParent();
            return bin;
        }

        @Override
        public void endMedia() {
            for (Bin b : new Bin[] {video, audio}) {
                if (b != null) {
                    b.sendEvent(new EOSEvent());
                }
            }
        }

        @Override
        public String describe() {
            return "test media " + params;
        }

        /** The pipeline, and with it these elements, belongs to the recording. */
        @Override
        public void close() {
        }
    }
}
