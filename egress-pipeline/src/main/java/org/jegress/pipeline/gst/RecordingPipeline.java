package org.jegress.pipeline.gst;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.StateChangeReturn;
import org.freedesktop.gstreamer.event.EOSEvent;
import org.jegress.api.error.EgressException;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.VideoPlan;
import org.jegress.pipeline.spi.OutputSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One egress's GStreamer pipeline: source elements → one encode per media type → tee → every output bin.
 * Media stays inside GStreamer; Java only sees bus messages.
 *
 * <p>Bus callbacks arrive on gst1-java-core's dispatch thread and only complete futures; the listeners are held in
 * fields for the pipeline's lifetime so JNA cannot collect them while native code still calls them.
 */
public final class RecordingPipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingPipeline.class);

    private final Pipeline pipeline;
    private final List<String> descriptions = new ArrayList<>();
    private final CompletableFuture<Void> flowing = new CompletableFuture<>();
    /** One-shot probe marking the first buffer a source produces; held here so JNA keeps the callback alive. */
    private final Pad.PROBE firstBuffer = (pad, info) -> {
        flowing.complete(null);
        return PadProbeReturn.REMOVE;
    };
    private final CompletableFuture<Void> eos = new CompletableFuture<>();
    private final CompletableFuture<Void> failed = new CompletableFuture<>();
    private final Bus.EOS onEos;
    private final Bus.ERROR onError;
    private final Bus.WARNING onWarning;
    private volatile boolean closed;
    private Bin videoEncoder;
    private Bin audioEncoder;

    private RecordingPipeline(String name) {
        GstRuntime.ensureInitialized();
        pipeline = new Pipeline(name);
        onEos = source -> eos.complete(null);
        onError = (source, code, message) -> {
            String where = source == null ? "pipeline" : source.getName();
            LOG.warn("GStreamer error from {}: {} (code {})", where, message, code);
            failed.completeExceptionally(
                    new EgressException(org.jegress.api.error.ErrorCode.INTERNAL, message));
        };
        onWarning = (source, code, message) ->
                LOG.debug("GStreamer warning from {}: {}", source == null ? "?" : source.getName(), message);
        Bus bus = pipeline.getBus();
        bus.connect(onEos);
        bus.connect(onError);
        bus.connect(onWarning);
    }

    /**
     * Assembles everything downstream of the sources: encoders, tees and outputs. This is the slow part (plugin
     * loading, encoder set-up), so the session builds it while the source is still starting, then calls
     * {@link #attachSources}.
     *
     * @param name pipeline name (the egress ID)
     * @param video video plan; encoded when enabled
     * @param audio audio plan; encoded when enabled
     * @param outputs output bins with "video"/"audio" ghost pads
     * @param encoderThreads x264 threads, 0 = auto
     */
    public static RecordingPipeline build(String name, VideoPlan video, AudioPlan audio, List<OutputSink> outputs,
            int encoderThreads) {
        RecordingPipeline p = new RecordingPipeline(name);
        try {
            Element videoTee = null;
            Element audioTee = null;
            if (video.enabled()) {
                p.videoEncoder = p.addChain(EncoderChains.video(video, encoderThreads));
                videoTee = p.addTee(p.videoEncoder, EncoderChains.VIDEO_TEE);
            }
            if (audio.enabled()) {
                p.audioEncoder = p.addChain(EncoderChains.audio(audio));
                audioTee = p.addTee(p.audioEncoder, EncoderChains.AUDIO_TEE);
            }
            for (OutputSink out : outputs) {
                Bin bin = out.bin();
                p.pipeline.add(bin);
                if (videoTee != null) {
                    linkTee(videoTee, bin, "video");
                }
                if (audioTee != null) {
                    linkTee(audioTee, bin, "audio");
                }
            }
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * Adds the source elements in front of the encoders.
     *
     * @param videoSource raw video element; required when video is encoded
     * @param audioSource raw audio element; required when audio is encoded
     */
    public void attachSources(Element videoSource, Element audioSource) {
        attach(videoSource, videoEncoder, "video");
        attachAudio(audioSource);
    }

    /** Feeds an audio source into the mixer, through a converter to the mixer's format. */
    private void attachAudio(Element source) {
        if (audioEncoder == null) {
            return;
        }
        if (source == null) {
            throw EgressException.internal("audio enabled but the source has no audio", null);
        }
        Element mixer = audioEncoder.getElementByName(EncoderChains.AUDIO_MIXER);
        Pad mixerInput = mixer.getRequestPad("sink_%u");
        GhostPad input = new GhostPad("audio_" + mixerInput.getName(), mixerInput);
        audioEncoder.addPad(input);
        Bin convert = Gst.parseBinFromDescription(EncoderChains.audioInput(), true);
        pipeline.addMany(source, convert);
        try {
            if (!source.link(convert)) {
                throw EgressException.internal("failed to link the audio source", null);
            }
            convert.getStaticPad("src").link(input);
        } catch (PadLinkException e) {
            throw EgressException.internal("failed to link the audio source to the mixer: " + e.getLinkResult(), e);
        }
        // The recording's audio starts with the bed of silence, not when the source's sound arrives.
        audioEncoder.getElementByName("audio_bed").getStaticPad("src").addProbe(PadProbeType.BUFFER, firstBuffer);
    }

    private void attach(Element source, Bin encoder, String kind) {
        if (encoder == null) {
            return;
        }
        if (source == null) {
            throw EgressException.internal(kind + " enabled but the source has no " + kind, null);
        }
        pipeline.add(source);
        if (!source.link(encoder)) {
            throw EgressException.internal("failed to link the " + kind + " source", null);
        }
        source.getSrcPads().get(0).addProbe(PadProbeType.BUFFER, firstBuffer);
    }

    /** Adds a parsed encoder bin. */
    private Bin addChain(String description) {
        descriptions.add(description);
        LOG.debug("encoder chain: {}", description);
        Bin encoder = Gst.parseBinFromDescription(description, true);
        pipeline.add(encoder);
        return encoder;
    }

    /** Adds a tee after {@code upstream}. */
    private Element addTee(Element upstream, String teeName) {
        Element tee = ElementFactory.make("tee", teeName);
        // A tee with no output linked yet must not fail the pipeline (outputs can come and go).
        tee.set("allow-not-linked", true);
        pipeline.add(tee);
        if (!upstream.link(tee)) {
            throw EgressException.internal("failed to link the " + teeName, null);
        }
        return tee;
    }

    private static void linkTee(Element tee, Bin output, String padName) {
        Pad sink = output.getStaticPad(padName);
        if (sink == null) {
            return;
        }
        Pad src = tee.getRequestPad("src_%u");
        try {
            src.link(sink);
        } catch (PadLinkException e) {
            throw EgressException.internal("failed to link " + padName + " branch to " + output.getName()
                    + ": " + e.getLinkResult(), e);
        }
    }

    /** Starts the pipeline; {@link #flowing()} completes once media flows. */
    public void play() {
        StateChangeReturn r = pipeline.play();
        if (r == StateChangeReturn.FAILURE) {
            failed.completeExceptionally(EgressException.internal("pipeline failed to start", null));
        }
    }

    /** Asks every source to finish; {@link #eos()} completes when every sink has flushed. */
    public void sendEos() {
        pipeline.sendEvent(new EOSEvent());
    }

    /**
     * Completes when a source produced its first buffer: the moment recording really starts (the file's time
     * zero). The pipeline itself reports PLAYING only once the muxer wrote its first bytes, an encoder latency
     * (~1 s) later.
     */
    public CompletableFuture<Void> flowing() {
        return flowing;
    }

    public CompletableFuture<Void> eos() {
        return eos;
    }

    /** Completes exceptionally with the first error posted on the bus. */
    public CompletableFuture<Void> failed() {
        return failed;
    }

    /** The encoder chains as gst-launch text, for logs and debugging. */
    public List<String> descriptions() {
        return List.copyOf(descriptions);
    }

    /** A Graphviz rendering of the live pipeline. */
    public String dot(boolean verbose) {
        if (closed) {
            return "";
        }
        return PipelineGraph.dot(pipeline, verbose);
    }

    /** Sets the pipeline to NULL and releases it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pipeline.stop();
        Bus bus = pipeline.getBus();
        bus.disconnect(onEos);
        bus.disconnect(onError);
        bus.disconnect(onWarning);
        pipeline.dispose();
    }
}
