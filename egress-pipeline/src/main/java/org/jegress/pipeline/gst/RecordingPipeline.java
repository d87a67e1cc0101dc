package org.jegress.pipeline.gst;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.StateChangeReturn;
import org.freedesktop.gstreamer.event.EOSEvent;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.VideoPlan;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.RecordingInputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording side of one egress's GStreamer pipeline: one encode per media type, teed to every output bin (outputs
 * taking raw audio get the mix before the encoder), or, for passthrough, the outputs alone. Sources connect through {@link RecordingInputs}. Media stays inside GStreamer;
 * Java only sees bus messages and a few one-shot probes.
 *
 * <p>Audio always runs through a mixer on a bed of live silence, and (for room sources) video through a compositor on
 * a bed of live black, so outputs get continuous media from the first instant whatever the sources do: start late,
 * pause, stall, come and go. Outputs are finalised when EOS reaches their sinks, watched at each sink (a pipeline
 * holding a webrtcbin never posts an EOS message).
 *
 * <p>Bus callbacks arrive on gst1-java-core's dispatch thread and only complete futures; callbacks and probes are
 * held in fields for the pipeline's lifetime so JNA cannot collect them while native code may still call them.
 */
public final class RecordingPipeline implements AutoCloseable, RecordingInputs {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingPipeline.class);

    /** How sources feed the recording. */
    public enum Layout {
        /** Raw video straight into the encoder (a display capture always has a picture); audio into the mixer. */
        DIRECT,
        /** Raw video over black through a compositor, audio into the mixer: sources may come and go. */
        COMPOSITE,
        /** No encoding: sources feed encoded media straight into the outputs. */
        PASSTHROUGH
    }

    /**
     * How long the mixers wait for room media: above the jitter buffer's latency (300 ms) plus decoding, so a track's
     * buffers are not late (and dropped) when they reach the mixer.
     */
    static final long ROOM_MIX_LATENCY_NS = 600_000_000L;

    /** How long a stalled video input keeps showing its last frame before the black bed shows through. */
    static final long VIDEO_REPEAT_NS = 500_000_000L;

    private final Pipeline pipeline;
    private final boolean ownsPipeline;
    private final Layout layout;
    private final VideoPlan video;
    private final List<String> descriptions = new ArrayList<>();
    private final List<OutputSink> outputs;
    private final List<EosWatch> sinkWatches = new ArrayList<>();
    private final List<Element> beds = new ArrayList<>();
    private final List<Element> added = new ArrayList<>();
    private final CompletableFuture<Void> flowing = new CompletableFuture<>();
    private final CompletableFuture<Void> failed = new CompletableFuture<>();
    private final Bus.ERROR onError;
    private final Bus.WARNING onWarning;
    /** One-shot probe marking the first buffer of the recording; held here so JNA keeps the callback alive. */
    private final Pad.PROBE firstBuffer = (pad, info) -> {
        flowing.complete(null);
        return PadProbeReturn.REMOVE;
    };
    /** Completes once every mixer of a COMPOSITE recording has put out its first buffer (at once otherwise). */
    private final CompletableFuture<Void> mixersStarted = new CompletableFuture<>();
    private final List<Pad.PROBE> mixerProbes = new ArrayList<>();
    private final AtomicInteger mixersPending = new AtomicInteger();
    private volatile Predicate<GstObject> foreignErrors = src -> false;
    private Bin videoEncoder;
    private Bin audioMixer;
    private Element compositor;
    private int inputs;
    private volatile boolean closed;

    private RecordingPipeline(String name, Pipeline existing, Layout layout, VideoPlan video, List<OutputSink> outputs) {
        GstRuntime.ensureInitialized();
        this.ownsPipeline = existing == null;
        this.pipeline = existing != null ? existing : new Pipeline(name);
        this.layout = layout;
        this.video = video;
        this.outputs = List.copyOf(outputs);
        onError = (source, code, message) -> {
            if (foreignErrors.test(source)) {
                return;
            }
            String where = source == null ? "pipeline" : source.getName();
            LOG.warn("GStreamer error from {}: {} (code {})", where, message, code);
            failed.completeExceptionally(new EgressException(ErrorCode.INTERNAL, message));
        };
        onWarning = (source, code, message) ->
                LOG.debug("GStreamer warning from {}: {}", source == null ? "?" : source.getName(), message);
        Bus bus = pipeline.getBus();
        bus.connect(onError);
        bus.connect(onWarning);
    }

    /**
     * Assembles the encoders (unless passthrough), tees and outputs. This is the slow part (plugin loading, encoder
     * set-up), so for a display source the session builds it while the source is still starting.
     *
     * @param name pipeline name (the egress ID)
     * @param existing a pipeline the source already runs (and keeps PLAYING), or null for a new one
     * @param layout how sources feed the recording
     * @param video video plan; encoded when enabled (except passthrough)
     * @param audio audio plan; encoded when enabled (except passthrough)
     * @param outputs output bins with "video"/"audio" ghost pads
     * @param encoderThreads x264 threads, 0 = auto
     */
    public static RecordingPipeline build(String name, Pipeline existing, Layout layout, VideoPlan video,
            AudioPlan audio, List<OutputSink> outputs, int encoderThreads) {
        RecordingPipeline p = new RecordingPipeline(name, existing, layout, video, outputs);
        try {
            p.assemble(audio, encoderThreads);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void assemble(AudioPlan audio, int encoderThreads) {
        for (OutputSink out : outputs) {
            add(out.bin());
            sinkWatches.add(EosWatch.on(out.sinkPad()));
        }
        if (layout == Layout.PASSTHROUGH) {
            return;
        }
        if (video.enabled()) {
            String chain = EncoderChains.video(video, encoderThreads);
            if (layout == Layout.COMPOSITE) {
                chain = EncoderChains.blackBed(video) + " compositor start-time-selection=first name=" + EncoderChains.VIDEO_MIXER
                        + " background=black ! " + chain;
            }
            videoEncoder = addChain(chain);
            if (layout == Layout.COMPOSITE) {
                compositor = videoEncoder.getElementByName(EncoderChains.VIDEO_MIXER);
                compositor.set("latency", ROOM_MIX_LATENCY_NS);
                watchMixer(compositor);
                bed(videoEncoder.getElementByName(EncoderChains.VIDEO_BED));
            }
            linkTo(addTee(videoEncoder, EncoderChains.VIDEO_TEE), outputs, "video");
            debugFirst(videoEncoder.getElementByName("video_queue").getStaticPad("sink"), "video encoder in");
            debugFirst(pipeline.getElementByName(EncoderChains.VIDEO_TEE).getStaticPad("sink"), "video encoder out");
        }
        if (audio.enabled()) {
            audioMixer = addChain(EncoderChains.audioMix());
            if (layout == Layout.COMPOSITE) {
                Element mixer = audioMixer.getElementByName(EncoderChains.AUDIO_MIXER);
                mixer.set("latency", ROOM_MIX_LATENCY_NS);
                watchMixer(mixer);
            }
            bed(audioMixer.getElementByName(EncoderChains.AUDIO_BED));
            Element rawTee = addTee(audioMixer, EncoderChains.AUDIO_RAW_TEE);
            List<OutputSink> encoded = outputs.stream().filter(o -> !o.rawAudio()).toList();
            if (encoded.stream().anyMatch(o -> o.bin().getStaticPad("audio") != null)) {
                Bin encoder = addChain(EncoderChains.audioEncoder(audio));
                link(rawTee.getRequestPad("src_%u"), encoder.getStaticPad("sink"), "the audio encoder");
                linkTo(addTee(encoder, EncoderChains.AUDIO_TEE), encoded, "audio");
                debugFirst(encoder.getElementByName("audio_queue").getStaticPad("sink"), "audio encoder in");
                debugFirst(pipeline.getElementByName(EncoderChains.AUDIO_TEE).getStaticPad("sink"), "audio encoder out");
            }
            linkTo(rawTee, outputs.stream().filter(OutputSink::rawAudio).toList(), "audio");
        }
    }

    private final List<Pad.PROBE> debugProbes = new ArrayList<>();

    private void debugFirst(Pad pad, String what) {
        Pad.PROBE p = (pd, info) -> {
            org.freedesktop.gstreamer.Buffer b = info.getBuffer();
            LOG.debug("{}: first buffer pts {} ms dts {} ms", what, b.getPresentationTimestamp() / 1_000_000,
                    b.getDecodeTimestamp() / 1_000_000);
            return PadProbeReturn.REMOVE;
        };
        debugProbes.add(p);
        pad.addProbe(PadProbeType.BUFFER, p);
    }

    /** Counts {@code mixer} in {@link #mixersStarted()}: one probe for its first output buffer, then removed. */
    private void watchMixer(Element mixer) {
        mixersPending.incrementAndGet();
        Pad.PROBE p = (pad, info) -> {
            if (mixersPending.decrementAndGet() == 0) {
                mixersStarted.complete(null);
            }
            return PadProbeReturn.REMOVE;
        };
        mixerProbes.add(p);
        mixer.getStaticPad("src").addProbe(PadProbeType.BUFFER, p);
    }

    /**
     * Completes once the mixers of a COMPOSITE recording have started their output (from their black/silent beds);
     * completed from the start for other layouts. Room tracks should be fed only then: each mixer starts at the
     * earliest buffer it holds when it first mixes, and a track's buffers are timestamped a jitter-buffer latency in
     * the past. A track reaching one mixer before its bed while the other mixer started from its bed made audio and
     * video start about 0.3 s apart, a constant A/V offset in the file.
     */
    public CompletableFuture<Void> mixersStarted() {
        if (mixersPending.get() == 0) {
            mixersStarted.complete(null);
        }
        return mixersStarted;
    }

    /** A live source of silence or black: it marks the start of the recording and gets EOS when it ends. */
    private void bed(Element bed) {
        beds.add(bed);
        bed.getStaticPad("src").addProbe(PadProbeType.BUFFER, firstBuffer);
    }

    /** Adds a parsed encoder bin. */
    private Bin addChain(String description) {
        descriptions.add(description);
        LOG.debug("encoder chain: {}", description);
        Bin encoder = Gst.parseBinFromDescription(description, true);
        add(encoder);
        return encoder;
    }

    /** Adds a tee after {@code upstream}. */
    private Element addTee(Element upstream, String teeName) {
        Element tee = ElementFactory.make("tee", teeName);
        // A tee with no output linked yet must not fail the pipeline (outputs can come and go).
        tee.set("allow-not-linked", true);
        add(tee);
        if (!upstream.link(tee)) {
            throw EgressException.internal("failed to link the " + teeName, null);
        }
        return tee;
    }

    private static void linkTo(Element tee, List<OutputSink> targets, String padName) {
        for (OutputSink out : targets) {
            Pad sink = out.bin().getStaticPad(padName);
            if (sink != null) {
                link(tee.getRequestPad("src_%u"), sink, padName + " to " + out.bin().getName());
            }
        }
    }

    private void add(Element e) {
        pipeline.add(e);
        added.add(e);
    }

    private static void link(Pad src, Pad sink, String what) {
        try {
            src.link(sink);
        } catch (PadLinkException e) {
            throw EgressException.internal("failed to link " + what + ": " + e.getLinkResult(), e);
        }
    }

    /**
     * Errors posted by these elements are someone else's to handle (a room connection recovers from its webrtcbin's
     * errors by rejoining) and do not fail the recording.
     */
    public void ignoreErrorsFrom(Predicate<GstObject> owner) {
        this.foreignErrors = owner;
    }

    // ------------------------------------------------------------------------------------------- inputs

    @Override
    public Pipeline pipeline() {
        return pipeline;
    }

    @Override
    public Pad videoInput() {
        if (videoEncoder == null) {
            throw EgressException.internal("this recording has no video input", null);
        }
        if (layout == Layout.DIRECT) {
            Pad direct = videoEncoder.getStaticPad("sink");
            direct.addProbe(PadProbeType.BUFFER, firstBuffer);
            return direct;
        }
        // Full frame over the black bed, aspect ratio kept with borders; a stalled input falls back to black.
        Pad mixer = compositor.getRequestPad("sink_%u");
        mixer.set("zorder", 1);
        mixer.set("max-last-buffer-repeat", VIDEO_REPEAT_NS);
        return converter(EncoderChains.videoInput(video), exposed(videoEncoder, mixer), "video");
    }

    @Override
    public Pad audioInput(AudioChannel channel) {
        if (audioMixer == null) {
            throw EgressException.internal("this recording has no audio input", null);
        }
        Pad mixer = audioMixer.getElementByName(EncoderChains.AUDIO_MIXER).getRequestPad("sink_%u");
        return converter(EncoderChains.audioInput(channel), exposed(audioMixer, mixer), "audio");
    }

    @Override
    public Pad passthroughInput(String kind) {
        if (layout != Layout.PASSTHROUGH || outputs.isEmpty()) {
            throw EgressException.internal("this recording has no passthrough input", null);
        }
        Pad in = outputs.get(0).bin().getStaticPad(kind);
        if (in == null) {
            throw EgressException.internal("the output takes no " + kind, null);
        }
        in.addProbe(PadProbeType.BUFFER, firstBuffer);
        return in;
    }

    /** A ghost pad on {@code encoder} for a mixer pad inside it, so elements outside the bin can link to it. */
    private static Pad exposed(Bin encoder, Pad inner) {
        GhostPad ghost = new GhostPad(inner.getName(), inner);
        ghost.setActive(true);
        encoder.addPad(ghost);
        return ghost;
    }

    /** A converter bin in front of {@code target}, added and running; returns its sink pad for the source. */
    private Pad converter(String description, Pad target, String kind) {
        Bin convert = Gst.parseBinFromDescription(description, true);
        convert.setName(kind + "_input_" + inputs++);
        add(convert);
        link(convert.getStaticPad("src"), target, kind + " input");
        if (isRunning()) {
            convert.syncStateWithParent();
        }
        return convert.getStaticPad("sink");
    }

    @Override
    public void release(Pad input) {
        Element owner = input.getParentElement();
        if (owner == null || !added.contains(owner) || layout == Layout.DIRECT) {
            return;
        }
        Pad out = owner.getStaticPad("src");
        Pad peer = out.getPeer();
        owner.stop();
        pipeline.remove(owner);
        added.remove(owner);
        if (peer instanceof GhostPad ghost) {
            Pad inner = ghost.getTarget();
            Element encoder = ghost.getParentElement();
            ghost.setTarget(null);
            encoder.removePad(ghost);
            if (inner != null) {
                inner.getParentElement().releaseRequestPad(inner);
            }
        }
    }

    private boolean isRunning() {
        return pipeline.isPlaying();
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /**
     * Starts the recording: plays the pipeline if it is ours, otherwise brings the added elements to the running
     * pipeline's state. {@link #flowing()} completes once media flows.
     */
    public void play() {
        if (ownsPipeline) {
            if (pipeline.play() == StateChangeReturn.FAILURE) {
                failed.completeExceptionally(EgressException.internal("pipeline failed to start", null));
            }
            return;
        }
        for (Element e : List.copyOf(added)) {
            e.syncStateWithParent();
        }
    }

    /** Ends the beds: with the sources' own EOS, the encoders drain and every output finalises. */
    public void endBeds() {
        for (Element bed : beds) {
            bed.sendEvent(new EOSEvent());
        }
    }

    /**
     * Completes when a bed or a source produced the first buffer: the moment recording really starts (the file's
     * time zero).
     */
    public CompletableFuture<Void> flowing() {
        return flowing;
    }

    /** Completes when EOS reached every output's sink, i.e. every output is finalised. */
    public CompletableFuture<Void> outputsFinished() {
        return CompletableFuture.allOf(sinkWatches.stream().map(EosWatch::eos).toArray(CompletableFuture[]::new));
    }

    /** Completes exceptionally with the first error posted on the bus (other than ignored ones). */
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

    /**
     * Releases what this recording added: the whole pipeline if it is ours, else its own elements (the source
     * disposes of its pipeline). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sinkWatches.forEach(EosWatch::close);
        Bus bus = pipeline.getBus();
        bus.disconnect(onError);
        bus.disconnect(onWarning);
        if (ownsPipeline) {
            pipeline.stop();
            pipeline.dispose();
            return;
        }
        for (Element e : added) {
            e.stop();
            pipeline.remove(e);
        }
    }
}
