package org.jegress.pipeline.gst;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
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
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.StateChangeReturn;
import org.freedesktop.gstreamer.event.EOSEvent;
import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.AudioChannel;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.VideoPlan;
import org.jegress.pipeline.Recording;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.RecordingInputs;
import org.jegress.pipeline.spi.VideoTile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording side of one egress's GStreamer pipeline: one encode per media type, each ending in a tee, and the
 * outputs as branches of those tees ({@link MediaPads} names which tee a pad takes), linked and unlinked while the
 * pipeline plays. For passthrough there is no encode: the source feeds the single output directly. Sources connect
 * through {@link RecordingInputs}. Media stays inside GStreamer; Java only sees bus messages and a few one-shot
 * probes.
 *
 * <p>Audio always runs through a mixer on a bed of live silence, and (for room sources) video through a compositor on
 * a bed of live black, so outputs get continuous media from the first instant whatever the sources do: start late,
 * pause, stall, come and go.
 *
 * <p>Outputs are isolated from each other: every branch starts with {@code errorignore}, so a branch whose sink
 * failed returns OK to its tee instead of stopping the encode; an error posted inside an output's bin goes to that
 * output ({@link OutputSink#error}), which handles it or fails alone (the listener hears of it and the branch is
 * unlinked). Errors anywhere else fail the recording.
 *
 * <p>Bus callbacks arrive on gst1-java-core's dispatch thread and only complete futures or hand work to the control
 * thread; callbacks and probes are held in fields for the pipeline's lifetime so JNA cannot collect them while native
 * code may still call them.
 */
public final class RecordingPipeline implements Recording, RecordingInputs {

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
     * What the encode is made of.
     *
     * @param layout how sources feed it
     * @param video the video plan (encoded when {@code video.encoding()}, except passthrough)
     * @param audio the audio plan (mixed when enabled, encoded when an output takes encoded audio)
     * @param tuning x264 settings for the outputs at hand
     * @param rawVideo whether an output takes the raw picture (images)
     * @param encodedAudio whether an output takes encoded audio
     * @param colorimetry the picture's colorimetry up to the encoder ({@link MediaPads#HD_COLORIMETRY} or
     *        {@link MediaPads#SD_COLORIMETRY})
     */
    public record Encode(Layout layout, VideoPlan video, AudioPlan audio, EncoderChains.VideoTuning tuning,
            boolean rawVideo, boolean encodedAudio, String colorimetry) {
    }

    /**
     * How long the mixers wait for room media: above the jitter buffer's latency (300 ms) plus decoding, so a track's
     * buffers are not late (and dropped) when they reach the mixer.
     */
    static final long ROOM_MIX_LATENCY_NS = 600_000_000L;

    /**
     * How long the mixer waits for captured sound (a browser's sound server). The capture reports only its 10 ms
     * period as latency: a capture thread held up longer than that on a busy machine would find its slot already
     * filled with silence and its sound dropped. This delays the mix, not its timestamps.
     */
    static final long CAPTURE_MIX_LATENCY_NS = 200_000_000L;

    /** How long a stalled video input keeps showing its last frame before the black bed shows through. */
    static final long VIDEO_REPEAT_NS = 500_000_000L;

    /** How long an unlink waits for a tee pad to be idle before cutting it anyway (a wedged branch). */
    private static final long UNLINK_TIMEOUT_MS = 2_000;
    /** How long a graceful detach waits for the branch to finish. */
    private static final long DETACH_EOS_TIMEOUT_MS = 5_000;
    /** First pause before playing again after an output error broke the start; doubles up to 8×. */
    private static final long RESUME_DELAY_MS = 100;
    private static final int RESUME_ATTEMPTS = 12;

    private final Pipeline pipeline;
    private final boolean ownsPipeline;
    private final Encode encode;
    private final BiConsumer<OutputSink, String> outputFailed;
    private final List<String> descriptions = new ArrayList<>();
    private final Map<OutputSink, List<TeeLink>> outputs = new ConcurrentHashMap<>();
    /** Outputs being detached: still told about their own messages until they are gone. */
    private final java.util.Set<OutputSink> detaching = ConcurrentHashMap.newKeySet();
    /** Outputs detached: their late messages (an error posted while dying) are ignored, never fatal. */
    private final java.util.Set<OutputSink> retired = ConcurrentHashMap.newKeySet();
    private final List<Element> beds = new ArrayList<>();
    private final List<Element> added = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The sources' converters into the mixers, among {@link #added}: upstream of everything else. */
    private final java.util.Set<Element> converters = ConcurrentHashMap.newKeySet();
    /** Whether {@link #play()} ran: elements added to a running pipeline before it wait for it. */
    private volatile boolean played;
    private final CompletableFuture<Void> flowing = new CompletableFuture<>();
    private final CompletableFuture<Void> failed = new CompletableFuture<>();
    private final ExecutorService control;
    private final Bus.ERROR onError;
    private final Bus.WARNING onWarning;
    private final Bus.MESSAGE onMessage;
    /** One-shot probe marking the first buffer of the recording; held here so JNA keeps the callback alive. */
    private final Pad.PROBE firstBuffer = (pad, info) -> {
        flowing.complete(null);
        return PadProbeReturn.REMOVE;
    };
    /** Completes once every mixer of a COMPOSITE recording has put out its first buffer (at once otherwise). */
    private final CompletableFuture<Void> mixersStarted = new CompletableFuture<>();
    private final List<Pad.PROBE> probes = new ArrayList<>();
    private final AtomicInteger mixersPending = new AtomicInteger();
    /** Outputs that failed alone, for telling an output's failed start from the recording's. */
    private final AtomicInteger failedOutputs = new AtomicInteger();
    private volatile Predicate<GstObject> foreignErrors = src -> false;
    private final Map<String, Element> tees = new ConcurrentHashMap<>();
    private Bin videoChain;
    private Bin audioMixer;
    private Element compositor;
    /** The layout tiles of a composite drawn in the pipeline, made on the first {@link #videoTile()}. */
    private CompositorTiles tiles;
    private int inputs;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean resuming = new java.util.concurrent.atomic.AtomicBoolean();
    private final String name;

    private RecordingPipeline(String name, Pipeline existing, Encode encode, BiConsumer<OutputSink, String> failed) {
        GstRuntime.ensureInitialized();
        this.name = name;
        this.ownsPipeline = existing == null;
        this.pipeline = existing != null ? existing : new Pipeline(name);
        this.encode = encode;
        this.outputFailed = failed;
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "recording-" + name);
            t.setDaemon(true);
            return t;
        });
        onError = this::onError;
        onWarning = (source, code, message) ->
                LOG.debug("GStreamer warning from {}: {}", source == null ? "?" : source.getName(), message);
        onMessage = (bus, message) -> {
            if (message.getType() == org.freedesktop.gstreamer.message.MessageType.ELEMENT) {
                routeElementMessage(message);
            }
        };
        Bus bus = pipeline.getBus();
        bus.connect(onError);
        bus.connect(onWarning);
        bus.connect(onMessage);
    }

    /**
     * Assembles the encoders (unless passthrough) and their tees. This is the slow part (plugin loading, encoder
     * set-up), so for a display source the session builds it while the source is still starting.
     *
     * @param name pipeline name (the egress ID)
     * @param existing a pipeline the source already runs (and keeps PLAYING), or null for a new one
     * @param encode what to build
     * @param outputFailed told (on the bus thread) when an output failed alone, after it was scheduled for detaching
     */
    public static RecordingPipeline build(String name, Pipeline existing, Encode encode,
            BiConsumer<OutputSink, String> outputFailed) {
        RecordingPipeline p = new RecordingPipeline(name, existing, encode, outputFailed);
        try {
            p.assemble();
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void assemble() {
        if (encode.layout() == Layout.PASSTHROUGH) {
            return;
        }
        VideoPlan video = encode.video();
        AudioPlan audio = encode.audio();
        if (video.enabled() && (video.encoding() || encode.rawVideo())) {
            String chain = EncoderChains.rawVideo(video, encode.colorimetry());
            if (encode.layout() == Layout.COMPOSITE) {
                chain = EncoderChains.blackBed(video, encode.colorimetry())
                        + " compositor start-time-selection=first name="
                        + EncoderChains.VIDEO_MIXER + " background=black ! " + chain;
            }
            boolean rawTee = encode.rawVideo();
            if (video.encoding() && !rawTee) {
                chain = chain + " ! " + EncoderChains.videoEncoder(video, encode.tuning(), false);
            }
            videoChain = addChain(chain);
            if (encode.layout() == Layout.COMPOSITE) {
                compositor = videoChain.getElementByName(EncoderChains.VIDEO_MIXER);
                compositor.set("latency", ROOM_MIX_LATENCY_NS);
                watchMixer(compositor);
                bed(videoChain.getElementByName(EncoderChains.VIDEO_BED));
            }
            if (rawTee) {
                Element raw = addTee(videoChain, EncoderChains.VIDEO_RAW_TEE, MediaPads.RAW_VIDEO);
                if (video.encoding()) {
                    Bin encoder = addChain(EncoderChains.videoEncoder(video, encode.tuning(), true));
                    link(raw.getRequestPad("src_%u"), encoder.getStaticPad("sink"), "the video encoder");
                    addTee(encoder, EncoderChains.VIDEO_TEE, MediaPads.VIDEO);
                }
            } else {
                addTee(videoChain, EncoderChains.VIDEO_TEE, MediaPads.VIDEO);
            }
        }
        if (audio.enabled()) {
            audioMixer = addChain(EncoderChains.audioMix());
            Element mixer = audioMixer.getElementByName(EncoderChains.AUDIO_MIXER);
            if (encode.layout() == Layout.COMPOSITE) {
                mixer.set("latency", ROOM_MIX_LATENCY_NS);
                watchMixer(mixer);
            } else {
                mixer.set("latency", CAPTURE_MIX_LATENCY_NS);
            }
            bed(audioMixer.getElementByName(EncoderChains.AUDIO_BED));
            Element rawTee = addTee(audioMixer, EncoderChains.AUDIO_RAW_TEE, MediaPads.RAW_AUDIO);
            if (encode.encodedAudio()) {
                Bin encoder = addChain(EncoderChains.audioEncoder(audio));
                link(rawTee.getRequestPad("src_%u"), encoder.getStaticPad("sink"), "the audio encoder");
                addTee(encoder, EncoderChains.AUDIO_TEE, MediaPads.AUDIO);
            }
        }
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
        probes.add(p);
        mixer.getStaticPad("src").addProbe(PadProbeType.BUFFER, p);
    }

    /**
     * Completes once the mixers of a COMPOSITE recording have started their output (from their black/silent beds);
     * completed from the start for other layouts. Room tracks should be fed only then: each mixer starts at the
     * earliest buffer it holds when it first mixes, and a track's buffers are timestamped a jitter-buffer latency in
     * the past. A track reaching one mixer before its bed while the other mixer started from its bed made audio and
     * video start about 0.3 s apart, a constant A/V offset in the file.
     */
    @Override
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
        Bin chain = Gst.parseBinFromDescription(description, true);
        add(chain);
        return chain;
    }

    /** Adds a tee after {@code upstream}, serving output pads named {@code padName}. */
    private Element addTee(Element upstream, String teeName, String padName) {
        Element tee = ElementFactory.make("tee", teeName);
        // A tee with no output linked yet must not fail the pipeline (outputs come and go).
        tee.set("allow-not-linked", true);
        add(tee);
        if (!upstream.link(tee)) {
            throw EgressException.internal("failed to link the " + teeName, null);
        }
        tees.put(padName, tee);
        return tee;
    }

    /**
     * Adds one of the recording's elements. Into a pipeline that already plays (a room source's), it stays out of the
     * pipeline's state changes until {@link #play()}: a state change of the whole pipeline meanwhile (one of its
     * sinks prerolling again) would otherwise start whatever part of the recording was built by then, a mixer
     * before the encoder it feeds.
     */
    private void add(Element e) {
        if (!ownsPipeline && !played) {
            e.setLockedState(true);
        }
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

    @Override
    public void ignoreErrorsFrom(Predicate<GstObject> owner) {
        this.foreignErrors = owner;
    }

    // ------------------------------------------------------------------------------------------- outputs

    /**
     * Links an output's pads to the tees, each through an {@code errorignore} so that the branch cannot stop the
     * encode; in a passthrough the source links to the output's pads itself.
     */
    @Override
    public void attach(OutputSink output) {
        Bin bin = output.bin();
        // An output's sinks prerolling must never hold up the pipeline: added to a running pipeline (a room
        // connection's), a splitmuxsink would otherwise take the whole pipeline back to PAUSED until data came.
        bin.set("async-handling", true);
        pipeline.add(bin);
        List<TeeLink> links = new ArrayList<>();
        if (encode.layout() != Layout.PASSTHROUGH) {
            for (String name : List.of(MediaPads.VIDEO, MediaPads.AUDIO, MediaPads.RAW_VIDEO, MediaPads.RAW_AUDIO)) {
                Pad pad = bin.getStaticPad(name);
                if (pad == null) {
                    continue;
                }
                Element tee = tees.get(name);
                if (tee == null) {
                    throw EgressException.internal("output " + bin.getName() + " takes " + name
                            + ", which this recording does not produce", null);
                }
                links.add(TeeLink.link(tee, guarded(bin, name, pad)));
            }
        }
        outputs.put(output, links);
        if (isRunning()) {
            bin.syncStateWithParent();
        }
        LOG.debug("output {} attached", bin.getName());
    }

    /**
     * An {@code errorignore} in front of {@code pad}, inside the output's bin: a failed branch returns OK to its tee
     * (which would otherwise return the error to the encoder and stop it), until it is unlinked.
     */
    private static Pad guarded(Bin bin, String name, Pad pad) {
        Element guard = ElementFactory.make("errorignore", bin.getName() + "_" + name + "_guard");
        guard.set("ignore-error", true);
        guard.set("ignore-notnegotiated", false);
        guard.set("convert-to", org.freedesktop.gstreamer.FlowReturn.OK);
        bin.add(guard);
        GhostPad ghost = (GhostPad) pad;
        Pad target = ghost.getTarget();
        ghost.setTarget(null);
        link(guard.getStaticPad("src"), target, "the guard of " + bin.getName());
        ghost.setTarget(guard.getStaticPad("sink"));
        return ghost;
    }

    @Override
    public CompletableFuture<Void> detach(OutputSink output, boolean graceful) {
        List<TeeLink> links = outputs.remove(output);
        if (links == null) {
            return CompletableFuture.completedFuture(null);
        }
        detaching.add(output);
        // each pad is released on the control thread once idle; nothing here may wait on that thread
        CompletableFuture<Void> unlinked = CompletableFuture.allOf(links.stream()
                .map(l -> l.unlink(UNLINK_TIMEOUT_MS, control)).toArray(CompletableFuture[]::new));
        return unlinked.thenCompose(v -> {
            if (!graceful) {
                return CompletableFuture.completedFuture(null);
            }
            for (TeeLink l : links) {
                l.sinkPad().sendEvent(new EOSEvent());
            }
            return output.finished().orTimeout(DETACH_EOS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> {
                        LOG.warn("output {} did not finish in time: {}", output.bin().getName(), e.toString());
                        return null;
                    });
        }).thenRunAsync(() -> {
            Bin bin = output.bin();
            bin.setState(State.NULL);
            pipeline.remove(bin);
            retired.add(output);
            detaching.remove(output);
            LOG.debug("output {} detached", bin.getName());
        }, control);
    }

    private void onError(GstObject source, int code, String message) {
        if (foreignErrors.test(source)) {
            return;
        }
        OutputSink owner = ownerOf(source);
        String where = source == null ? "pipeline" : source.getName();
        if (owner != null && !outputs.containsKey(owner)) {
            LOG.debug("GStreamer error from {} in output {}, already detached: {}", where, owner.bin().getName(),
                    message);
            return;
        }
        if (owner != null) {
            OutputSink.ErrorOutcome outcome = owner.error(source, message);
            LOG.warn("GStreamer error from {} in output {}: {} ({})", where, owner.bin().getName(), message, outcome);
            if (outcome == OutputSink.ErrorOutcome.FAILED) {
                failedOutputs.incrementAndGet();
                detach(owner, false);
                outputFailed.accept(owner, message);
            }
            resumeAfterOutputError();
            return;
        }
        LOG.warn("GStreamer error from {}: {} (code {})", where, message, code);
        failed.completeExceptionally(new EgressException(ErrorCode.INTERNAL, message));
    }

    /**
     * An element that posts an error while the pipeline is still on its way to PLAYING (an output bin holding a
     * {@code splitmuxsink} is asynchronous until its first fragment opens) fails that state change in every bin up
     * to the pipeline, which then puts every element back to PAUSED: a live pipeline stops dead, though the failing
     * output was dealt with. Once its owner has dropped or detached it, the pipeline is asked for PLAYING again;
     * a few tries, spaced out, cover an owner that takes a moment to drop the element.
     */
    private void resumeAfterOutputError() {
        if (ownsPipeline && !closed && resuming.compareAndSet(false, true)) {
            resumeLater(0);
        }
    }

    private void resumeLater(int attempt) {
        Executor later = CompletableFuture.delayedExecutor(RESUME_DELAY_MS << Math.min(attempt, 3),
                TimeUnit.MILLISECONDS, control);
        try {
            later.execute(() -> {
                if (closed) {
                    return;
                }
                if (GstNatives.stuckShortOfPlaying(pipeline)) {
                    LOG.info("{}: an output error interrupted the start, playing again (try {})", name, attempt + 1);
                    pipeline.play();
                }
                if (attempt + 1 < RESUME_ATTEMPTS && !isRunning()) {
                    resumeLater(attempt + 1);
                } else {
                    resuming.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            resuming.set(false);
        }
    }

    private void routeElementMessage(org.freedesktop.gstreamer.message.Message message) {
        GstObject source = message.getSource();
        OutputSink owner = ownerOf(source);
        if (owner != null) {
            owner.elementMessage(source, message.getStructure());
        }
    }

    /** The attached output whose bin holds {@code element}, if any. */
    private OutputSink ownerOf(GstObject element) {
        for (GstObject o = element; o != null; o = o.getParent()) {
            for (OutputSink out : outputs.keySet()) {
                if (out.bin().equals(o)) {
                    return out;
                }
            }
            for (OutputSink out : detaching) {
                if (out.bin().equals(o)) {
                    return out;
                }
            }
            for (OutputSink out : retired) {
                if (out.bin().equals(o)) {
                    return out;
                }
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------- inputs

    @Override
    public RecordingInputs inputs() {
        return this;
    }

    @Override
    public Pipeline pipeline() {
        return pipeline;
    }

    @Override
    public Pad videoInput() {
        if (videoChain == null) {
            throw EgressException.internal("this recording has no video input", null);
        }
        if (encode.layout() == Layout.DIRECT) {
            Pad direct = videoChain.getStaticPad("sink");
            direct.addProbe(PadProbeType.BUFFER, firstBuffer);
            return direct;
        }
        // Full frame over the black bed, aspect ratio kept with borders; a stalled input falls back to black.
        Pad mixer = compositor.getRequestPad("sink_%u");
        mixer.set("zorder", 1);
        mixer.set("max-last-buffer-repeat", VIDEO_REPEAT_NS);
        return converter(EncoderChains.videoInput(encode.video()), exposed(videoChain, mixer), "video");
    }

    @Override
    public VideoTile videoTile() {
        if (compositor == null) {
            throw EgressException.internal("this recording has no compositor", null);
        }
        if (tiles == null) {
            tiles = new CompositorTiles(compositor);
        }
        Pad mixer = tiles.newPad(VIDEO_REPEAT_NS);
        Pad in = converter(EncoderChains.tileInput(), exposed(videoChain, mixer), "video");
        tiles.configureScaling(mixer);
        return tiles.tile(mixer, in);
    }

    @Override
    public void lightBackground(boolean light) {
        Element bed = videoChain == null ? null : videoChain.getElementByName(EncoderChains.VIDEO_BED);
        if (bed == null) {
            return;
        }
        int pattern = light ? EncoderChains.BED_WHITE : EncoderChains.BED_BLACK;
        if (tiles != null) {
            tiles.change(() -> bed.set("pattern", pattern)); // between frames, as the tiles' changes
        } else {
            bed.set("pattern", pattern);
        }
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
        OutputSink out = outputs.keySet().stream().findFirst().orElse(null);
        if (encode.layout() != Layout.PASSTHROUGH || out == null) {
            throw EgressException.internal("this recording has no passthrough input", null);
        }
        Pad in = out.bin().getStaticPad(kind);
        if (in == null) {
            throw EgressException.internal("the output takes no " + kind, null);
        }
        in.addProbe(PadProbeType.BUFFER, firstBuffer);
        return in;
    }

    /** A ghost pad on {@code chain} for a mixer pad inside it, so elements outside the bin can link to it. */
    private static Pad exposed(Bin chain, Pad inner) {
        GhostPad ghost = new GhostPad(inner.getName(), inner);
        ghost.setActive(true);
        chain.addPad(ghost);
        return ghost;
    }

    /** A converter bin in front of {@code target}, added and running; returns its sink pad for the source. */
    private Pad converter(String description, Pad target, String kind) {
        Bin convert = Gst.parseBinFromDescription(description, true);
        convert.setName(kind + "_input_" + inputs++);
        add(convert);
        converters.add(convert);
        link(convert.getStaticPad("src"), target, kind + " input");
        if (played && isRunning()) {
            convert.syncStateWithParent();
        }
        return convert.getStaticPad("sink");
    }

    @Override
    public void release(Pad input) {
        Element owner = input.getParentElement();
        if (owner == null || !added.contains(owner) || encode.layout() == Layout.DIRECT) {
            return;
        }
        Pad out = owner.getStaticPad("src");
        Pad peer = out.getPeer();
        owner.stop();
        pipeline.remove(owner);
        added.remove(owner);
        converters.remove(owner);
        if (peer instanceof GhostPad ghost) {
            Pad inner = ghost.getTarget();
            Element chain = ghost.getParentElement();
            ghost.setTarget(null);
            chain.removePad(ghost);
            if (inner != null) {
                inner.getParentElement().releaseRequestPad(inner);
            }
        }
    }

    /**
     * The pipeline's current state, without waiting: a sink that has yet to preroll keeps a state change pending, and
     * waiting for it while the source is not linked yet would never end.
     */
    private boolean isRunning() {
        return pipeline.getState(0) == State.PLAYING;
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /**
     * Starts the recording: plays the pipeline if it is ours, otherwise brings the added elements to the running
     * pipeline's state. {@link #flowing()} completes once media flows.
     */
    @Override
    public void play() {
        if (ownsPipeline) {
            played = true;
            StateChangeReturn r = pipeline.play();
            if (r == StateChangeReturn.FAILURE && awaitFailedOutputsDetached()) {
                // an output that cannot start (its server refused the connection) was dropped: the rest can
                r = pipeline.play();
                LOG.debug("playing again without the failed outputs: {}", r);
            }
            if (r == StateChangeReturn.FAILURE) {
                failed.completeExceptionally(EgressException.internal("pipeline failed to start", null));
            }
            return;
        }
        // Downstream first: the outputs, the chains from the last built (the encoders, fed by a tee) back to the
        // mixers and their live beds, then the sources' converters into the mixers. Started the other way, a mixer's
        // first buffers met pads still flushing; an aggregator takes that FLUSHING as a reason to pause its task,
        // silently and for good (a room composite's sound never reached its MP4, which stayed empty until "pipeline
        // frozen").
        played = true;
        for (OutputSink o : outputs.keySet()) {
            o.bin().syncStateWithParent();
        }
        List<Element> chains = new ArrayList<>(added);
        chains.removeAll(converters);
        Collections.reverse(chains);
        chains.addAll(converters);
        for (Element e : chains) {
            if (added.contains(e)) {
                e.setLockedState(false);
                e.syncStateWithParent();
            }
        }
    }

    /**
     * After a failed state change: whether it was an output's doing, now detached. Its error reaches the bus
     * thread, which detaches it on the control thread; give that a moment.
     */
    private boolean awaitFailedOutputsDetached() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            while (System.nanoTime() < deadline) {
                if (failedOutputs.get() > 0 && detaching.isEmpty()) {
                    return true;
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public void endBeds() {
        for (Element bed : beds) {
            bed.sendEvent(new EOSEvent());
        }
    }

    @Override
    public CompletableFuture<Void> flowing() {
        return flowing;
    }

    @Override
    public CompletableFuture<Void> outputsFinished() {
        return CompletableFuture.allOf(outputs.keySet().stream().map(OutputSink::finished)
                .toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> failed() {
        return failed;
    }

    /** The encoder chains as gst-launch text, for logs and debugging. */
    public List<String> descriptions() {
        return List.copyOf(descriptions);
    }

    @Override
    public String dot() {
        if (closed) {
            return "";
        }
        return PipelineGraph.dot(pipeline, true);
    }

    /**
     * Releases what this recording added: the whole pipeline if it is ours, else its own elements and outputs (the
     * source disposes of its pipeline). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        control.shutdown();
        try {
            control.awaitTermination(DETACH_EOS_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Bus bus = pipeline.getBus();
        bus.disconnect(onError);
        bus.disconnect(onWarning);
        bus.disconnect(onMessage);
        if (ownsPipeline) {
            pipeline.stop();
            pipeline.dispose();
            return;
        }
        for (OutputSink o : outputs.keySet()) {
            o.bin().stop();
            pipeline.remove(o.bin());
        }
        for (Element e : added) {
            e.stop();
            pipeline.remove(e);
        }
    }
}
