package org.jegress.pipeline.spi;

import java.nio.file.Path;

import org.jegress.api.config.EgressConfig;
import org.jegress.api.manifest.Manifest;
import org.jegress.api.plan.AudioPlan;
import org.jegress.api.plan.VideoPlan;
import org.jegress.api.status.EgressResults;
import org.jegress.api.storage.Uploader;
import org.jegress.api.time.Scheduler;

/**
 * What an output may use.
 *
 * @param egressId the egress it belongs to
 * @param config worker configuration ({@code max_upload_queue}, debug switches)
 * @param audio the audio its {@code audio} / {@code raw_audio} pads receive (check {@code enabled()})
 * @param video the video its {@code video} / {@code raw_video} pads receive (check {@code enabled()})
 * @param workDir a private directory of the egress, deleted when it ends (files still unstored are kept)
 * @param scheduler timers (stream liveness polls, upload cadence) and the clock
 * @param results the egress's result entries, for the output's own (StreamInfo, SegmentsInfo, ImagesInfo)
 * @param manifest the egress's manifest, for entries stored while recording (segments, images)
 * @param uploader where this output's files go, for outputs that store while recording
 * @param listener the egress, told about failures and changes
 */
public record OutputContext(String egressId, EgressConfig config, AudioPlan audio, VideoPlan video, Path workDir, Scheduler scheduler,
        EgressResults results, Manifest manifest, Uploader uploader, OutputListener listener) {
}
