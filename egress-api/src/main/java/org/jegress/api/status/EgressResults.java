package org.jegress.api.status;

import java.util.function.UnaryOperator;

import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.FileInfo;
import org.jegress.api.livekit.ImagesInfo;
import org.jegress.api.livekit.SegmentsInfo;
import org.jegress.api.livekit.StreamInfo;
import org.jegress.api.livekit.StreamInfoList;

/**
 * Every edit of an egress's result entries ({@code file_results}, {@code stream_results}, {@code segment_results},
 * {@code image_results}), with the deprecated single {@code result} kept equal to its entry, as upstream reports
 * them: start and end times in nanoseconds, durations from start to end, stream statuses with their errors and
 * retries. Edits are applied through the {@link EgressStatusTracker} (under its lock) and not published; callers
 * {@link #publish} when a change should reach livekit-server.
 */
public final class EgressResults {

    private final EgressStatusTracker tracker;
    private volatile long recordingStartedAt;

    public EgressResults(EgressStatusTracker tracker) {
        this.tracker = tracker;
    }

    public EgressStatusTracker tracker() {
        return tracker;
    }

    public void publish() {
        tracker.publish();
    }

    public long nowNs() {
        return tracker.nowNs();
    }

    // ----------------------------------------------------------------------------------- when recording starts

    /**
     * The recording started: every output's {@code started_at}, except RTMP streams, which start once connected.
     *
     * @param rtmp whether the stream output is RTMP
     */
    public void recordingStarted(long startedAt, boolean rtmp) {
        recordingStartedAt = startedAt;
        update(b -> {
            for (int i = 0; i < b.getFileResultsCount(); i++) {
                b.setFileResults(i, b.getFileResults(i).toBuilder().setStartedAt(startedAt));
            }
            if (!rtmp) {
                for (int i = 0; i < b.getStreamResultsCount(); i++) {
                    b.setStreamResults(i, b.getStreamResults(i).toBuilder().setStartedAt(startedAt));
                }
            }
            for (int i = 0; i < b.getSegmentResultsCount(); i++) {
                b.setSegmentResults(i, b.getSegmentResults(i).toBuilder().setStartedAt(startedAt));
            }
            for (int i = 0; i < b.getImageResultsCount(); i++) {
                b.setImageResults(i, b.getImageResults(i).toBuilder().setStartedAt(startedAt));
            }
            return b;
        });
    }

    /** The file names as the source completed them (track egress learns the container from the track). */
    public void fileNames(EgressInfo resolved) {
        update(b -> {
            for (int i = 0; i < b.getFileResultsCount() && i < resolved.getFileResultsCount(); i++) {
                b.setFileResults(i, b.getFileResults(i).toBuilder()
                        .setFilename(resolved.getFileResults(i).getFilename()));
            }
            for (int i = 0; i < b.getSegmentResultsCount() && i < resolved.getSegmentResultsCount(); i++) {
                b.setSegmentResults(i, b.getSegmentResults(i).toBuilder()
                        .setPlaylistName(resolved.getSegmentResults(i).getPlaylistName())
                        .setLivePlaylistName(resolved.getSegmentResults(i).getLivePlaylistName()));
            }
            for (int i = 0; i < b.getImageResultsCount() && i < resolved.getImageResultsCount(); i++) {
                b.setImageResults(i, b.getImageResults(i).toBuilder()
                        .setFilenamePrefix(resolved.getImageResults(i).getFilenamePrefix()));
            }
            return b;
        });
    }

    // ----------------------------------------------------------------------------------- file

    /** The file is finalised: end time, duration from its start, size; its location once stored. */
    public void fileEnded(long endedAt, long size, String location) {
        update(b -> {
            if (b.getFileResultsCount() == 0) {
                return b;
            }
            FileInfo.Builder f = b.getFileResults(0).toBuilder();
            if (f.getStartedAt() == 0) {
                f.setStartedAt(endedAt);
            }
            f.setEndedAt(endedAt).setDuration(endedAt - f.getStartedAt()).setSize(size);
            if (location != null) {
                f.setLocation(location);
            }
            return b.setFileResults(0, f);
        });
    }

    public void fileLocation(String location) {
        update(b -> b.getFileResultsCount() == 0 ? b
                : b.setFileResults(0, b.getFileResults(0).toBuilder().setLocation(location)));
    }

    /** The first file result as it stands (size 0 until {@link #fileEnded}). */
    public FileInfo file() {
        EgressInfo i = tracker.snapshot();
        return i.getFileResultsCount() == 0 ? null : i.getFileResults(0);
    }

    // ----------------------------------------------------------------------------------- streams

    /** A destination added while running (UpdateStream): ACTIVE, started now unless it is RTMP. */
    public void streamAdded(String redactedUrl, boolean rtmp) {
        long now = nowNs();
        update(b -> b.addStreamResults(StreamInfo.newBuilder().setUrl(redactedUrl)
                .setStatus(StreamInfo.Status.ACTIVE).setStartedAt(rtmp ? 0 : now)));
    }

    /** When the recording started (its first buffer), or 0 before. */
    public long recordingStartedAt() {
        return recordingStartedAt;
    }

    /**
     * An RTMP destination is connected and publishing.
     *
     * @param since when what it received begins: the recording's start for a destination linked before it,
     *        else when it was linked
     */
    public void streamStarted(String redactedUrl, long since) {
        stream(redactedUrl, s -> s.getStartedAt() == 0 ? s.setStartedAt(since) : s);
    }

    /** A destination is being reconnected. */
    public void streamRetried(String redactedUrl) {
        long now = nowNs();
        stream(redactedUrl, s -> s.setLastRetryAt(now).setRetries(s.getRetries() + 1));
    }

    /** A destination failed and was dropped; the other outputs go on. */
    public void streamFailed(String redactedUrl, String error) {
        long now = nowNs();
        stream(redactedUrl, s -> end(s, now).setStatus(StreamInfo.Status.FAILED).setError(error));
    }

    /** A destination was removed on request (UpdateStream) or ended with the recording. */
    public void streamFinished(String redactedUrl) {
        long now = nowNs();
        stream(redactedUrl, s -> end(s, now).setStatus(StreamInfo.Status.FINISHED));
    }

    /**
     * The recording ended: every stream still ACTIVE ends with it, FINISHED, or FAILED with {@code error} when
     * the egress failed.
     */
    public void streamsEnded(long endedAt, String error) {
        update(b -> {
            for (int i = 0; i < b.getStreamResultsCount(); i++) {
                StreamInfo.Builder si = b.getStreamResults(i).toBuilder();
                if (si.getStatus() == StreamInfo.Status.ACTIVE) {
                    end(si, endedAt);
                    if (error == null) {
                        si.setStatus(StreamInfo.Status.FINISHED);
                    } else {
                        si.setStatus(StreamInfo.Status.FAILED).setError(error);
                    }
                }
                b.setStreamResults(i, si);
            }
            return b;
        });
    }

    private static StreamInfo.Builder end(StreamInfo.Builder s, long endedAt) {
        s.setEndedAt(endedAt);
        if (s.getStartedAt() == 0) {
            s.setStartedAt(endedAt);
        }
        return s.setDuration(endedAt - s.getStartedAt());
    }

    /** Edits the ACTIVE entry of a destination (or its latest entry: a URL may be added again after it ended). */
    private void stream(String redactedUrl, UnaryOperator<StreamInfo.Builder> change) {
        update(b -> {
            int index = -1;
            for (int i = b.getStreamResultsCount() - 1; i >= 0; i--) {
                StreamInfo s = b.getStreamResults(i);
                if (s.getUrl().equals(redactedUrl)) {
                    if (s.getStatus() == StreamInfo.Status.ACTIVE) {
                        index = i;
                        break;
                    }
                    if (index < 0) {
                        index = i;
                    }
                }
            }
            if (index >= 0) {
                b.setStreamResults(index, change.apply(b.getStreamResults(index).toBuilder()));
            }
            return b;
        });
    }

    // ----------------------------------------------------------------------------------- segments

    /** One segment is stored: count and size grow, the manifest gets it. */
    public void segmentStored(long size) {
        update(b -> b.getSegmentResultsCount() == 0 ? b : b.setSegmentResults(0, b.getSegmentResults(0).toBuilder()
                .setSegmentCount(b.getSegmentResults(0).getSegmentCount() + 1)
                .setSize(b.getSegmentResults(0).getSize() + size)));
    }

    public void playlistLocation(String location) {
        update(b -> b.getSegmentResultsCount() == 0 ? b
                : b.setSegmentResults(0, b.getSegmentResults(0).toBuilder().setPlaylistLocation(location)));
    }

    public void livePlaylistLocation(String location) {
        update(b -> b.getSegmentResultsCount() == 0 ? b
                : b.setSegmentResults(0, b.getSegmentResults(0).toBuilder().setLivePlaylistLocation(location)));
    }

    public SegmentsInfo segments() {
        EgressInfo i = tracker.snapshot();
        return i.getSegmentResultsCount() == 0 ? null : i.getSegmentResults(0);
    }

    // ----------------------------------------------------------------------------------- images

    /** Image output {@code index} stored one more image. */
    public void imageStored(int index) {
        update(b -> index >= b.getImageResultsCount() ? b : b.setImageResults(index, b.getImageResults(index)
                .toBuilder().setImageCount(b.getImageResults(index).getImageCount() + 1)));
    }

    // ----------------------------------------------------------------------------------- end

    /**
     * The recording ended at {@code endedAt}: segments and images get their end time (and segments their
     * duration); streams still active end too.
     */
    public void recordingEnded(long endedAt, String error) {
        streamsEnded(endedAt, error);
        update(b -> {
            for (int i = 0; i < b.getSegmentResultsCount(); i++) {
                SegmentsInfo.Builder s = b.getSegmentResults(i).toBuilder();
                if (s.getStartedAt() == 0) {
                    s.setStartedAt(endedAt);
                }
                b.setSegmentResults(i, s.setEndedAt(endedAt).setDuration(endedAt - s.getStartedAt()));
            }
            for (int i = 0; i < b.getImageResultsCount(); i++) {
                ImagesInfo.Builder im = b.getImageResults(i).toBuilder();
                if (im.getStartedAt() == 0) {
                    im.setStartedAt(endedAt);
                }
                b.setImageResults(i, im.setEndedAt(endedAt));
            }
            return b;
        });
    }

    /** Applies an edit and mirrors the deprecated single result from its entry. */
    private void update(UnaryOperator<EgressInfo.Builder> change) {
        tracker.update(b -> mirrorDeprecated(change.apply(b)));
    }

    @SuppressWarnings("deprecation")
    private static EgressInfo.Builder mirrorDeprecated(EgressInfo.Builder b) {
        switch (b.getResultCase()) {
            case FILE:
                if (b.getFileResultsCount() > 0) {
                    b.setFile(b.getFileResults(0));
                }
                break;
            case STREAM:
                b.setStream(StreamInfoList.newBuilder().addAllInfo(b.getStreamResultsList()));
                break;
            case SEGMENTS:
                if (b.getSegmentResultsCount() > 0) {
                    b.setSegments(b.getSegmentResults(0));
                }
                break;
            default:
                break;
        }
        return b;
    }
}
