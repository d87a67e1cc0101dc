package org.jegress.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.jegress.api.error.EgressException;
import org.jegress.api.error.ErrorCode;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.manifest.Manifest;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.FilePlan;
import org.jegress.api.plan.ImagesPlan;
import org.jegress.api.plan.OutputType;
import org.jegress.api.plan.SegmentsPlan;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.plan.StreamUrl;
import org.jegress.api.plan.StreamUrls;
import org.jegress.api.status.EgressResults;
import org.jegress.api.time.Scheduler;
import org.jegress.pipeline.spi.OutputContext;
import org.jegress.pipeline.spi.OutputListener;
import org.jegress.pipeline.spi.OutputSink;
import org.jegress.pipeline.spi.OutputSinkProvider;
import org.jegress.pipeline.spi.OutputTarget;
import org.jegress.pipeline.spi.StreamDestinations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outputs of one egress while it runs: created from the plan, counted the way upstream counts them (the file,
 * the segments, each image output, the WebSocket and each live stream destination), and what happens when they come
 * and go. A destination or output that fails is dropped while the others keep recording; when the last one is gone
 * the egress fails (a destination error), when the last one is removed on request it ends ("All streams stopped").
 * {@code UpdateStream} is served here.
 */
final class SessionOutputs {

    private static final Logger LOG = LoggerFactory.getLogger(SessionOutputs.class);

    /** What the outputs need from the session. */
    interface Session {
        Recording recording();

        /** Every output is gone: stop, COMPLETE ("All streams stopped") when {@code failure} is null, else FAILED. */
        void lastOutputGone(EgressException failure);
    }

    private final String egressId;
    private final org.jegress.api.config.EgressConfig config;
    private final EgressResults results;
    private final Manifest manifest;
    private final Scheduler scheduler;
    private final Path workDir;
    private final Function<OutputTarget, OutputSinkProvider> sinks;
    private final Uploaders uploaders;
    private final StreamUrls streamUrls;
    private final Session session;
    private final List<OutputSink> outputs = new ArrayList<>();
    private OutputSink fileOutput;
    private StreamDestinations destinations;
    /** A stream output that does not manage its destinations itself (a custom sink): its URLs fail with it. */
    private OutputSink fixedStream;
    private List<StreamUrl> fixedStreamUrls = List.of();
    private OutputType streamType;
    private int remaining;
    private final java.util.Set<OutputSink> failedOutputs = new java.util.HashSet<>();
    private String firstError;
    private boolean ending;

    SessionOutputs(String egressId, org.jegress.api.config.EgressConfig config, EgressResults results, Manifest manifest, Scheduler scheduler, Path workDir,
            Function<OutputTarget, OutputSinkProvider> sinks, Uploaders uploaders, StreamUrls streamUrls,
            Session session) {
        this.egressId = egressId;
        this.config = config;
        this.results = results;
        this.manifest = manifest;
        this.scheduler = scheduler;
        this.workDir = workDir;
        this.sinks = sinks;
        this.uploaders = uploaders;
        this.streamUrls = streamUrls;
        this.session = session;
    }

    /** Creates and opens every output of the plan (a WebSocket dials its server, a stream output nothing yet). */
    synchronized List<OutputSink> create(EgressPlan plan) throws IOException {
        Optional<FilePlan> file = plan.file();
        if (file.isPresent()) {
            FilePlan f = file.get();
            Path local = uploaders.localPath(f.storage(), f.storagePath(), f.type().mime(),
                    workDir.resolve(Path.of(f.storagePath()).getFileName()));
            Files.createDirectories(local.toAbsolutePath().getParent());
            fileOutput = add(plan, new OutputTarget.File(f.type(), local), f.storage(), 1);
        }
        if (plan.webSocket().isPresent()) {
            add(plan, new OutputTarget.WebSocket(plan.webSocket().get().url()), null, 1);
        }
        if (plan.stream() != null) {
            streamType = plan.stream().type();
            String scheme = plan.stream().urls().isEmpty() ? "" : scheme(plan.stream().urls().get(0).url());
            OutputSink s = add(plan, new OutputTarget.Stream(plan.stream(), scheme), null, plan.stream().urls().size());
            if (s instanceof StreamDestinations d) {
                destinations = d;
            } else {
                fixedStream = s;
                fixedStreamUrls = plan.stream().urls();
            }
        }
        if (plan.segments() != null) {
            SegmentsPlan s = plan.segments();
            Path dir = localDir(s.storage(), s.storageDir(), workDir.resolve("segments"));
            add(plan, new OutputTarget.Segments(s, dir), s.storage(), 1);
        }
        for (int i = 0; i < plan.images().size(); i++) {
            ImagesPlan im = plan.images().get(i);
            Path dir = localDir(im.storage(), im.storageDir(), workDir.resolve(im.id()));
            add(plan, new OutputTarget.Images(im, i, dir), im.storage(), 1);
        }
        for (OutputSink o : outputs) {
            o.open();
        }
        return List.copyOf(outputs);
    }

    /** The local directory that {@code storageDir} maps to: itself on local disk, else a work directory. */
    private Path localDir(StorageTarget storage, String storageDir, Path fallback) throws IOException {
        Path dir = uploaders.of(storage).directPath(storageDir + "x").map(Path::getParent).orElse(fallback);
        Files.createDirectories(dir);
        return dir;
    }

    private OutputSink add(EgressPlan plan, OutputTarget target, StorageTarget storage, int count) {
        Listener listener = new Listener();
        OutputContext ctx = new OutputContext(egressId, config, plan.audio(), plan.video(), workDir, scheduler, results,
                manifest, storage == null ? null : uploaders.of(storage), listener);
        OutputSink sink = sinks.apply(target).create(target, ctx);
        listener.output = sink;
        outputs.add(sink);
        remaining += count;
        return sink;
    }

    /** One output's view of the egress. */
    private final class Listener implements OutputListener {
        volatile OutputSink output;

        @Override
        public void updated() {
            results.publish();
        }

        @Override
        public void destinationFailed(StreamUrl url, String error) {
            SessionOutputs.this.destinationFailed(url, error);
        }

        @Override
        public void failed(String error) {
            outputFailed(output, error);
        }
    }

    private static String scheme(String url) {
        int colon = url.indexOf(':');
        return colon < 0 ? "" : url.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
    }

    /** An output's name for logs (its bin's). */
    static String name(OutputSink output) {
        return output == null || output.bin() == null ? String.valueOf(output) : output.bin().getName();
    }

    List<OutputSink> all() {
        return List.copyOf(outputs);
    }

    OutputSink fileOutput() {
        return fileOutput;
    }

    /** The first error of an output that failed alone, if any: the egress ends FAILED with it. */
    synchronized String firstError() {
        return firstError;
    }

    /** The recording is stopping: outputs leaving now do not end the egress a second time. */
    synchronized void ending() {
        ending = true;
    }

    // ------------------------------------------------------------------------------------------- events

    private void destinationFailed(StreamUrl url, String error) {
        LOG.warn("{}: stream {} failed: {}", egressId, url.redacted(), error);
        boolean last;
        synchronized (this) {
            last = --remaining <= 0 && !ending;
        }
        if (last) {
            session.lastOutputGone(EgressException.destination(error));
        } else {
            results.publish();
        }
    }

    /**
     * An output failed alone: the recording unlinks it (it may have done so already, for errors on the bus) and the
     * others go on.
     */
    void outputFailed(OutputSink output, String error) {
        synchronized (this) {
            if (output != null && !failedOutputs.add(output)) {
                return;
            }
        }
        LOG.warn("{}: output {} failed: {}", egressId, name(output), error);
        Recording r = session.recording();
        if (output != null && r != null) {
            r.detach(output, false);
        }
        if (output != null && output == fixedStream) {
            // a stream output failing is its destinations failing: upstream's stream failure rules apply
            for (StreamUrl u : fixedStreamUrls) {
                results.streamFailed(u.redacted(), error);
            }
            boolean last;
            synchronized (this) {
                remaining -= fixedStreamUrls.size();
                last = remaining <= 0 && !ending;
            }
            if (last) {
                session.lastOutputGone(EgressException.destination(error));
            } else {
                results.publish();
            }
            return;
        }
        boolean last;
        synchronized (this) {
            if (firstError == null) {
                firstError = error;
            }
            remaining -= output == null ? 1 : shareOf(output);
            last = remaining <= 0 && !ending;
        }
        if (last) {
            session.lastOutputGone(new EgressException(ErrorCode.INTERNAL, error));
        }
    }

    private int shareOf(OutputSink output) {
        return output instanceof StreamDestinations d ? d.active().size() : 1;
    }

    // ------------------------------------------------------------------------------------------- UpdateStream

    /**
     * Adds and removes stream destinations (O18): added URLs must be of the output's protocol; removed ones may be
     * named as requested, as resolved, or as reported (redacted). Errors are collected: the ones that worked take
     * effect, and the call fails with every message, one per line, and the code of the first.
     */
    EgressInfo updateStream(List<String> add, List<String> remove) {
        if (destinations == null) {
            throw EgressException.nonStreamingPipeline();
        }
        List<EgressException> errors = new ArrayList<>();
        for (String raw : add) {
            try {
                StreamUrl url = streamUrls.parse(raw, streamType);
                if (find(url.url()) != null) {
                    throw EgressException.invalidUrl(raw, "stream already exists");
                }
                results.streamAdded(url.redacted(), streamType == OutputType.RTMP);
                synchronized (this) {
                    remaining++;
                }
                destinations.add(url);
                LOG.info("{}: streaming to {} too", egressId, url.redacted());
            } catch (EgressException e) {
                errors.add(e);
            }
        }
        for (String raw : remove) {
            try {
                StreamUrl url = find(raw);
                if (url == null) {
                    url = find(streamUrls.canonical(raw));
                }
                if (url == null) {
                    throw EgressException.streamNotFound(raw);
                }
                results.streamFinished(url.redacted());
                boolean last;
                synchronized (this) {
                    last = --remaining <= 0 && !ending;
                }
                LOG.info("{}: no longer streaming to {}", egressId, url.redacted());
                if (last) {
                    // the destination ends with the recording
                    session.lastOutputGone(null);
                } else {
                    destinations.remove(url);
                }
            } catch (EgressException e) {
                errors.add(e);
            }
        }
        results.publish();
        if (!errors.isEmpty()) {
            String message = String.join("\n", errors.stream().map(Throwable::getMessage).toList());
            throw new EgressException(errors.get(0).code(), message);
        }
        return results.tracker().snapshot();
    }

    /** The active destination requested, resolved or reported as {@code url}, or null. */
    private StreamUrl find(String url) {
        for (StreamUrl u : destinations.active()) {
            if (u.requested().equals(url) || u.url().equals(url) || u.redacted().equals(url)) {
                return u;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------- the end

    void trackMuted(boolean muted) {
        for (OutputSink o : all()) {
            o.trackMuted(muted);
        }
    }

    /** Bytes written to the local file so far. */
    long bytesWritten() {
        OutputSink f = fileOutput;
        Path p = f == null ? null : f.localFile();
        try {
            return p != null && Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    void closeAll() {
        for (OutputSink o : all()) {
            try {
                o.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: closing output: {}", egressId, e.toString());
            }
        }
    }
}
