package org.jegress.pipeline;

import java.util.Locale;
import java.util.ServiceLoader;

import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.EgressIds;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.plan.FilePlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.rpc.StartEgressRequest;
import org.jegress.api.storage.Uploader;
import org.jegress.api.storage.UploaderProvider;
import org.jegress.pipeline.spi.OutputSinkProvider;
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
 * Sources, sinks and uploaders are found with {@link ServiceLoader}: put {@code egress-sources},
 * {@code egress-sinks} and an {@code egress-storage-*} artifact on the classpath.
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
        EgressPlan plan = new EgressPlanner(options.config(), options.clock(), options.zone()).plan(request);
        return start(plan, options);
    }

    /**
     * Checks that the classpath has a source, sinks and an uploader for the plan, without starting anything. (A track
     * egress's container is only known once the track is: any of OGG, MP4 and WebM may then be needed.)
     *
     * @throws EgressException "… is not yet supported" naming what is missing
     */
    public static void checkSupported(EgressPlan plan) {
        sourceFor(plan);
        if (plan.streams().isPresent()) {
            throw EgressException.notSupported("stream output");
        }
        if (plan.segmentOutput().isPresent()) {
            throw EgressException.notSupported("segmented file output");
        }
        if (!plan.images().isEmpty()) {
            throw EgressException.notSupported("image output");
        }
        if (plan.file().isEmpty() && plan.webSocket().isEmpty()) {
            throw EgressException.invalidInput("output");
        }
        plan.file().ifPresent(file -> {
            if (file.type() != OutputType.UNKNOWN_FILE) {
                sinkFor(file.type());
            }
            uploaderProviderFor(file);
        });
        plan.webSocket().ifPresent(ws -> sinkFor(OutputType.RAW));
    }

    /** Starts an already validated plan. */
    public static EgressHandle start(EgressPlan plan, EgressOptions options) {
        checkSupported(plan);
        SourceProvider source = sourceFor(plan);
        Uploader uploader = plan.file().map(file -> uploaderFor(file, options)).orElseGet(NoUpload::new);
        EgressSession session = new EgressSession(plan, options, source, Egress::sinkFor, uploader);
        session.start();
        return session;
    }

    private static SourceProvider sourceFor(EgressPlan plan) {
        for (SourceProvider p : ServiceLoader.load(SourceProvider.class)) {
            if (p.supports(plan)) {
                return p;
            }
        }
        throw EgressException.notSupported(plan.requestType().label() + " egress"
                + (plan.requestType() == org.jegress.api.plan.RequestType.WEB ? " (no web source on the classpath)"
                        : ""));
    }

    private static OutputSinkProvider sinkFor(OutputType type) {
        for (OutputSinkProvider p : ServiceLoader.load(OutputSinkProvider.class)) {
            if (p.supports(type)) {
                return p;
            }
        }
        throw EgressException.notSupported(type == OutputType.RAW ? "websocket output"
                : type.name().toLowerCase(Locale.ROOT) + " output");
    }

    private static Uploader uploaderFor(FilePlan file, EgressOptions options) {
        return uploaderProviderFor(file).create(file.storage(), options.outputDirectory());
    }

    private static UploaderProvider uploaderProviderFor(FilePlan file) {
        for (UploaderProvider p : ServiceLoader.load(UploaderProvider.class)) {
            if (p.provider() == file.storage().provider()) {
                return p;
            }
        }
        throw EgressException.notSupported(file.storage().provider().id() + " upload");
    }
}
