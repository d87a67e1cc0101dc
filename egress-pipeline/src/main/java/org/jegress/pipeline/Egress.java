package org.jegress.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;

import org.freedesktop.gstreamer.Pipeline;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.EgressIds;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.plan.StreamUrls;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.storage.Uploader;
import org.jegress.api.storage.UploaderProvider;
import org.jegress.pipeline.gst.EncoderChains;
import org.jegress.pipeline.gst.RecordingPipeline;
import org.jegress.pipeline.spi.MediaPads;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;
import org.jegress.pipeline.spi.SourceProvider;

/**
 * The embedding API: start an egress in this JVM and get a handle back.
 *
 * <pre>{@code
 * EgressHandle h = Egress.start(WebEgressRequest.newBuilder()
 *         .setUrl("https://example.com")
 *         .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("out/page.mp4"))
 *         .build(), EgressOptions.defaults());
 * Thread.sleep(10_000);
 * h.stop();
 * EgressInfo result = h.awaitCompletion();
 * }</pre>
 *
 * <p>Invalid requests fail here, synchronously, with an {@link EgressException} carrying the upstream message;
 * anything that goes wrong later ends the egress FAILED (or ABORTED) and is reported through the handle.
 * Sources, sinks and uploaders are found with {@link ServiceLoader}: put {@code egress-sources-*},
 * {@code egress-sinks} and an {@code egress-storage-*} artifact on the classpath. Sinks and a source can also be
 * handed in through {@link EgressOptions}.
 */
public final class Egress {

    private Egress() {
    }

    /** Starts a web egress (v1 request) with a fresh egress ID. */
    public static EgressHandle start(WebEgressRequest request, EgressOptions options) {
        return start(StartEgressRequest.newBuilder().setEgressId(EgressIds.newEgressId()).setWeb(request).build(),
                options);
    }

    /** Starts a unified (v2) request with a fresh egress ID. */
    public static EgressHandle start(org.jegress.api.livekit.StartEgressRequest request, EgressOptions options) {
        return start(StartEgressRequest.newBuilder().setEgressId(EgressIds.newEgressId())
                .setRoomName(request.getRoomName()).setEgress(request).build(), options);
    }

    /** Starts a request in the shape livekit-server sends to workers (any request type, egress ID set). */
    public static EgressHandle start(StartEgressRequest request, EgressOptions options) {
        return start(planner(options).plan(request), options);
    }

    /**
     * A planner that knows what these options can record: the Twitch ingest lookup and the stream URL schemes the
     * custom sinks claim.
     */
    public static EgressPlanner planner(EgressOptions options) {
        return planner(options, options.clock());
    }

    /** As {@link #planner(EgressOptions)}, with a clock of its own (a handler replays the worker's start time). */
    public static EgressPlanner planner(EgressOptions options, java.time.Clock clock) {
        return new EgressPlanner(options.config(), clock, options.zone(), options.ingests(),
                customSchemes(options));
    }

    /**
     * Checks that the classpath (and the options) have a source, sinks and uploaders for the plan, without
     * starting anything. (A track egress's container is only known once the track is: any of OGG, MP4 and WebM may
     * then be needed.)
     *
     * @throws EgressException "… is not yet supported" naming what is missing
     */
    public static void checkSupported(EgressPlan plan) {
        checkSupported(plan, EgressOptions.defaults());
    }

    /** As {@link #checkSupported(EgressPlan)}, with the sinks and source of {@code options}. */
    public static void checkSupported(EgressPlan plan, EgressOptions options) {
        sourceFor(plan, options);
        for (OutputTarget t : targets(plan)) {
            if (t.type() != OutputType.UNKNOWN_FILE) {
                sinkFor(t, options);
            }
        }
        plan.file().ifPresent(f -> validate(f.storage()));
        if (plan.segments() != null) {
            validate(plan.segments().storage());
        }
        plan.images().forEach(im -> validate(im.storage()));
        if (targets(plan).isEmpty()) {
            throw EgressException.invalidInput("output");
        }
    }

    /** The outputs of a plan as targets, with placeholder local paths, for checking only. */
    private static List<OutputTarget> targets(EgressPlan plan) {
        List<OutputTarget> t = new ArrayList<>();
        java.nio.file.Path here = java.nio.file.Path.of(".");
        plan.file().ifPresent(f -> t.add(new OutputTarget.File(f.type(), here)));
        plan.webSocket().ifPresent(w -> t.add(new OutputTarget.WebSocket(w.url())));
        if (plan.stream() != null) {
            String scheme = plan.stream().urls().isEmpty() ? "" : plan.stream().urls().get(0).url()
                    .replaceFirst(":.*", "").toLowerCase(Locale.ROOT);
            t.add(new OutputTarget.Stream(plan.stream(), scheme));
        }
        if (plan.segments() != null) {
            t.add(new OutputTarget.Segments(plan.segments(), here));
        }
        for (int i = 0; i < plan.images().size(); i++) {
            t.add(new OutputTarget.Images(plan.images().get(i), i, here));
        }
        return t;
    }

    /** Starts an already validated plan. */
    public static EgressHandle start(EgressPlan plan, EgressOptions options) {
        checkSupported(plan, options);
        SourceProvider source = sourceFor(plan, options);
        EgressSession session = new EgressSession(plan, options, source, t -> sinkFor(t, options),
                target -> uploaderFor(target, options),
                (p, existing, outs, failed) -> buildRecording(p, existing, outs, failed,
                        options.config().videoEncoderThreads()),
                new StreamUrls(options.ingests(), customSchemes(options)));
        session.start();
        return session;
    }

    /** The GStreamer recording for a plan: layout from the source, encoder tuning from the outputs. */
    private static Recording buildRecording(EgressPlan plan, Pipeline existing, List<OutputSink> outputs,
            java.util.function.BiConsumer<OutputSink, String> outputFailed, int threads) {
        RecordingPipeline.Layout layout = existing == null ? RecordingPipeline.Layout.DIRECT
                : plan.remuxes() ? RecordingPipeline.Layout.PASSTHROUGH : RecordingPipeline.Layout.COMPOSITE;
        boolean rtmp = plan.stream() != null && plan.stream().type() == OutputType.RTMP;
        EncoderChains.VideoTuning tuning = plan.segments() != null
                ? new EncoderChains.VideoTuning(threads, rtmp, plan.segments().segmentDuration() * 1000, false)
                : new EncoderChains.VideoTuning(threads, rtmp, 2000, true);
        boolean rawVideo = outputs.stream().anyMatch(o -> o.bin().getStaticPad(MediaPads.RAW_VIDEO) != null);
        boolean encodedAudio = outputs.stream().anyMatch(o -> o.bin().getStaticPad(MediaPads.AUDIO) != null);
        // A layout of tiles drawn from room video is made of the layers nearest the tiles' size, SD mostly; a display
        // capture or one track filling the picture is HD. The composite is kept in that colorimetry up to the encoder.
        boolean tiles = layout == RecordingPipeline.Layout.COMPOSITE && plan.composesRoom();
        RecordingPipeline r = RecordingPipeline.build(plan.egressId(), existing, new RecordingPipeline.Encode(layout,
                plan.video(), plan.audio(), tuning, rawVideo, encodedAudio,
                tiles ? MediaPads.SD_COLORIMETRY : MediaPads.HD_COLORIMETRY), outputFailed);
        try {
            for (OutputSink o : outputs) {
                r.attach(o);
            }
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static SourceProvider sourceFor(EgressPlan plan, EgressOptions options) {
        if (options.sourceProvider() != null) {
            if (options.sourceProvider().supports(plan)) {
                return options.sourceProvider();
            }
        } else {
            for (SourceProvider p : ServiceLoader.load(SourceProvider.class)) {
                if (p.supports(plan)) {
                    return p;
                }
            }
        }
        throw EgressException.notSupported(plan.requestType().label() + " egress"
                + (plan.requestType() == org.jegress.api.plan.RequestType.WEB ? " (no web source on the classpath)"
                        : ""));
    }

    private static List<OutputSinkProvider> sinkProviders(EgressOptions options) {
        List<OutputSinkProvider> all = new ArrayList<>(options.sinkProviders());
        ServiceLoader.load(OutputSinkProvider.class).forEach(all::add);
        return all;
    }

    private static Set<String> customSchemes(EgressOptions options) {
        Set<String> schemes = new LinkedHashSet<>();
        for (OutputSinkProvider p : sinkProviders(options)) {
            p.streamSchemes().forEach(s -> schemes.add(s.toLowerCase(Locale.ROOT)));
        }
        return schemes;
    }

    private static OutputSinkProvider sinkFor(OutputTarget target, EgressOptions options) {
        for (OutputSinkProvider p : sinkProviders(options)) {
            if (p.supports(target)) {
                return p;
            }
        }
        String what;
        if (target instanceof OutputTarget.WebSocket) {
            what = "websocket output";
        } else if (target instanceof OutputTarget.Stream s) {
            what = s.type() == OutputType.CUSTOM ? s.scheme() + " stream output" : "stream output";
        } else if (target instanceof OutputTarget.Segments) {
            what = "segmented file output";
        } else if (target instanceof OutputTarget.Images) {
            what = "image output";
        } else {
            what = target.type().name().toLowerCase(Locale.ROOT) + " output";
        }
        throw EgressException.notSupported(what);
    }

    /** The provider uploader for a target (the storage layer around it is the session's). */
    static Uploader uploaderFor(StorageTarget target, EgressOptions options) {
        return uploaderProviderFor(target).create(target, options.outputDirectory());
    }

    /** A provider for the target is on the class path and finds nothing wrong with its settings. */
    private static void validate(StorageTarget target) {
        uploaderProviderFor(target).validate(target);
    }

    private static UploaderProvider uploaderProviderFor(StorageTarget target) {
        for (UploaderProvider p : ServiceLoader.load(UploaderProvider.class)) {
            if (p.provider() == target.provider()) {
                return p;
            }
        }
        throw EgressException.notSupported(target.provider().id() + " upload");
    }
}
