package org.jegress.sinks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.ClockTime;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.jegress.pipeline.gst.GstNatives;

/**
 * When each track of a muxer starts, in running time: the decode time of its first buffer (its presentation time
 * when it has none), read once per sink pad by a probe that then removes itself.
 *
 * <p>A fragmented mp4mux starts every track of the file at its own first decode time, so tracks that began at
 * different moments (the video's first decode time is also a few frames before its first picture when the encoder
 * reorders frames) end up shifted against each other by the difference. {@link #offsets()} is that difference, which
 * the finaliser puts back when it writes the ordinary MP4.
 */
final class TrackStarts {

    private final Map<String, Long> starts = new ConcurrentHashMap<>();
    /** The probes, held for as long as the pads may call them (JNA). */
    private final List<Pad.PROBE> probes = new ArrayList<>();

    private TrackStarts() {
    }

    /** Watches every sink pad of {@code mux}, keyed by the pad's kind ({@code video} or {@code audio}). */
    static TrackStarts on(Element mux) {
        TrackStarts t = new TrackStarts();
        for (Pad pad : mux.getSinkPads()) {
            String kind = pad.getName().startsWith("video") ? "video" : "audio";
            Pad.PROBE probe = (p, info) -> {
                Buffer b = info.getBuffer();
                if (b == null) {
                    return PadProbeReturn.OK;
                }
                long ts = b.getDecodeTimestamp();
                if (ts == ClockTime.NONE) {
                    ts = b.getPresentationTimestamp();
                }
                if (ts == ClockTime.NONE) {
                    return PadProbeReturn.OK;
                }
                long running = GstNatives.runningTime(p, ts);
                if (running >= 0) {
                    t.starts.putIfAbsent(kind, running);
                }
                return PadProbeReturn.REMOVE;
            };
            t.probes.add(probe);
            pad.addProbe(PadProbeType.BUFFER, probe);
        }
        return t;
    }

    /** Per track kind, how much later than the earliest track it started (ns); empty unless two tracks started. */
    Map<String, Long> offsets() {
        Map<String, Long> out = new TreeMap<>();
        if (starts.size() < 2) {
            return out;
        }
        long first = starts.values().stream().mapToLong(Long::longValue).min().orElse(0);
        starts.forEach((kind, start) -> out.put(kind, start - first));
        return out;
    }
}
