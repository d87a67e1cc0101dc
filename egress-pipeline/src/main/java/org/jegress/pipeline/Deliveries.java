package org.jegress.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jegress.api.error.EgressException;
import org.jegress.api.manifest.Manifest;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.FilePlan;
import org.jegress.api.plan.ImagesPlan;
import org.jegress.api.plan.StorageTarget;
import org.jegress.api.status.EgressResults;
import org.jegress.api.storage.Uploader;
import org.jegress.pipeline.spi.OutputSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens after the pipeline is released: each output completes itself ({@link OutputSink#finish}: the MP4
 * rewritten, the last segment and the final playlists stored), the file is stored, and the {@code <egress_id>.json}
 * manifest is written next to every output that wants one. Nothing that could not be stored is deleted.
 */
final class Deliveries {

    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

    private final EgressPlan plan;
    private final EgressResults results;
    private final Manifest manifest;
    private final Uploaders uploaders;
    private final Path workDir;

    Deliveries(EgressPlan plan, EgressResults results, Manifest manifest, Uploaders uploaders, Path workDir) {
        this.plan = plan;
        this.results = results;
        this.manifest = manifest;
        this.uploaders = uploaders;
        this.workDir = workDir;
    }

    /**
     * Completes every output, then stores the file and the manifests.
     *
     * @return the first error of an output that could not be completed, or null
     * @throws EgressException when the file could not be stored (it stays on local disk)
     */
    String finish(SessionOutputs outputs, long endedAt) throws InterruptedException {
        String error = null;
        for (OutputSink o : outputs.all()) {
            try {
                o.finish();
            } catch (EgressException e) {
                LOG.warn("{}: output {} could not be completed: {}", plan.egressId(), SessionOutputs.name(o),
                        e.getMessage());
                error = error == null ? e.getMessage() : error;
            }
        }
        results.recordingEnded(endedAt, null);
        OutputSink file = outputs.fileOutput();
        if (file != null) {
            storeFile(plan.file().orElseThrow(), file.localFile(), endedAt);
        }
        writeManifests(endedAt);
        return error;
    }

    private void storeFile(FilePlan f, Path local, long endedAt) {
        long size;
        try {
            size = Files.size(local);
        } catch (IOException e) {
            throw EgressException.internal("output file missing: " + local, e);
        }
        results.fileEnded(endedAt, size, null);
        Uploader uploader = uploaders.of(f.storage());
        String location;
        try {
            location = uploader.upload(local, f.storagePath(), f.type().mime()).location();
        } catch (IOException e) {
            // The local file stays where it is (the upload journal lists it for a retry): nothing is lost.
            String kept = local.toAbsolutePath().toString();
            results.fileLocation(kept);
            throw EgressException.uploadFailed(new IOException(e.getMessage() + " (recording kept at " + kept + ")",
                    e));
        }
        results.fileLocation(location);
        manifest.addFile(f.storagePath(), location);
    }

    /** After a failure, report what the crash-safe file on disk holds so nothing recorded goes unnoticed. */
    void recordPartialFile(SessionOutputs outputs, long startedAtNs) {
        OutputSink file = outputs.fileOutput();
        Path f = file == null ? null : file.localFile();
        if (f == null || startedAtNs == 0 || !Files.exists(f)) {
            return;
        }
        var info = results.file();
        if (info == null || info.getSize() > 0) {
            return;
        }
        results.fileEnded(results.nowNs(), outputs.bytesWritten(), f.toAbsolutePath().toString());
    }

    /** One manifest per distinct (storage, directory) of the outputs that want one; the first location is reported. */
    private void writeManifests(long endedAt) {
        Map<String, StorageTarget> places = new LinkedHashMap<>();
        plan.file().filter(f -> !f.disableManifest()).ifPresent(f -> places.put(parentOf(f.storagePath()), f.storage()));
        if (plan.segments() != null && !plan.segments().disableManifest()) {
            places.putIfAbsent(plan.segments().storageDir(), plan.segments().storage());
        }
        for (ImagesPlan im : plan.images()) {
            if (!im.disableManifest()) {
                places.putIfAbsent(im.storageDir(), im.storage());
            }
        }
        if (places.isEmpty()) {
            return;
        }
        manifest.endedAt(endedAt);
        Path tmp = workDir.resolve(plan.egressId() + ".json");
        try {
            Files.write(tmp, manifest.toJson());
        } catch (IOException e) {
            LOG.warn("{}: cannot write the manifest: {}", plan.egressId(), e.getMessage());
            return;
        }
        String first = null;
        for (Map.Entry<String, StorageTarget> place : places.entrySet()) {
            String path = place.getKey() + plan.egressId() + ".json";
            try {
                Path copy = workDir.resolve("manifest-" + Integer.toHexString(path.hashCode()) + ".json");
                Files.copy(tmp, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                String where = uploaders.of(place.getValue()).upload(copy, path, "application/json").location();
                first = first == null ? where : first;
            } catch (IOException e) {
                // Upstream logs and carries on: a missing manifest does not fail the recording.
                LOG.warn("{}: failed to write manifest {}: {}", plan.egressId(), path, e.getMessage());
            }
        }
        if (first != null) {
            String location = first;
            results.tracker().update(b -> b.setManifestLocation(location));
        }
    }

    private static String parentOf(String storagePath) {
        int slash = storagePath.lastIndexOf('/');
        return slash < 0 ? "" : storagePath.substring(0, slash + 1);
    }
}
