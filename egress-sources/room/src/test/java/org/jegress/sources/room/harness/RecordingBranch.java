package org.jegress.sources.room.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.jegress.pipeline.gst.EosWatch;
import org.jegress.sources.room.SubscribedTrack;

/**
 * A consumer branch the way other code will build one on top of {@link SubscribedTrack}: plain GStreamer elements
 * writing the still-encoded track into a container without transcoding, linked in the documented order (link →
 * sync state → {@link SubscribedTrack#start()}). EOS is detected with an {@link EosWatch} on the filesink's sink pad,
 * because a pipeline holding webrtcbin never posts a pipeline-level EOS.
 */
public final class RecordingBranch {

    private final Bin bin;
    private final Path file;
    private EosWatch eosWatch;
    private volatile long startedNanos;

    private RecordingBranch(Bin bin, Path file) {
        this.bin = bin;
        this.file = file;
    }

    /**
     * Builds {@code "<chain> ! filesink location=<file>"}, e.g. chain {@code "queue ! opusparse ! oggmux"}, adds it to
     * the pipeline, links the track into it and starts the track.
     */
    public static RecordingBranch attach(Pipeline pipeline, SubscribedTrack track, String chain, Path file) {
        // async=false: a sink added to a running live pipeline must not wait for a preroll of its own (with two
        // branches added at once one of them can stay PAUSED for good)
        Bin bin = Gst.parseBinFromDescription(
                chain + " ! filesink name=out sync=false async=false location=\"" + file + "\"", true);
        RecordingBranch b = new RecordingBranch(bin, file);
        Element sink = bin.getElementByName("out");
        b.eosWatch = EosWatch.on(sink.getStaticPad("sink"));
        pipeline.add(bin);
        track.src().link(bin.getStaticPad("sink"));
        bin.syncStateWithParent();
        track.start();
        b.startedNanos = System.nanoTime();
        return b;
    }

    public Path file() {
        return file;
    }

    /** When the track was started into this branch ({@link System#nanoTime()}). */
    public long startedNanos() {
        return startedNanos;
    }

    public CompletableFuture<Void> eos() {
        return eosWatch.eos();
    }

    /** Waits until EOS reached the filesink (the muxer has finalised the file by then). */
    public void awaitEos(Duration timeout) throws Exception {
        eosWatch.eos().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits for EOS, then stops and removes the branch: setting the filesink to NULL closes the file, so it is
     * complete on disk when this returns.
     */
    public void finish(Pipeline pipeline, Duration timeout) throws Exception {
        awaitEos(timeout);
        eosWatch.close();
        bin.setState(org.freedesktop.gstreamer.State.NULL);
        pipeline.remove(bin);
    }

    public Bin bin() {
        return bin;
    }
}
