package org.jegress.api.hls;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * An HLS media playlist in the shape upstream writes: version 4, no caching, a fixed target duration, each segment
 * with its wall-clock start ({@code #EXT-X-PROGRAM-DATE-TIME}, UTC, milliseconds) and length ({@code #EXTINF}, three
 * decimals). An {@link #event EVENT} playlist lists every segment; a {@link #live live} playlist slides over the last
 * few with an increasing {@code #EXT-X-MEDIA-SEQUENCE}. {@link #close} appends {@code #EXT-X-ENDLIST}. Not
 * thread-safe.
 */
public final class MediaPlaylist {

    private static final DateTimeFormatter PDT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final boolean event;
    private final int targetDuration;
    private final int window;
    private final Deque<String> entries = new ArrayDeque<>();
    private long mediaSequence;
    private int segmentCount;
    private boolean closed;

    private MediaPlaylist(boolean event, int targetDuration, int window) {
        if (targetDuration < 1) {
            throw new IllegalArgumentException("target duration must be at least 1 s");
        }
        this.event = event;
        this.targetDuration = targetDuration;
        this.window = window;
    }

    /** The main playlist: every segment, {@code #EXT-X-PLAYLIST-TYPE:EVENT}. */
    public static MediaPlaylist event(int targetDuration) {
        return new MediaPlaylist(true, targetDuration, Integer.MAX_VALUE);
    }

    /** A live playlist over the last {@code window} segments. */
    public static MediaPlaylist live(int targetDuration, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must hold a segment");
        }
        return new MediaPlaylist(false, targetDuration, window);
    }

    /**
     * Adds a segment.
     *
     * @param start wall-clock time of the segment's first sample
     * @param seconds the segment's length
     * @param uri the segment's name, relative to the playlist
     */
    public void append(Instant start, double seconds, String uri) {
        if (closed) {
            throw new IllegalStateException("playlist closed");
        }
        entries.addLast("#EXT-X-PROGRAM-DATE-TIME:" + PDT.format(start) + "\n#EXTINF:"
                + String.format(Locale.ROOT, "%.3f", seconds) + ",\n" + uri + "\n");
        segmentCount++;
        while (entries.size() > window) {
            entries.removeFirst();
            mediaSequence++;
        }
    }

    /** Ends the playlist: no more segments will follow. */
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Segments appended so far (including those a live playlist no longer lists). */
    public int segmentCount() {
        return segmentCount;
    }

    /** The playlist text as it stands. */
    public String render() {
        StringBuilder sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:4\n");
        if (event) {
            sb.append("#EXT-X-PLAYLIST-TYPE:EVENT\n");
        }
        sb.append("#EXT-X-ALLOW-CACHE:NO\n#EXT-X-TARGETDURATION:").append(targetDuration).append('\n');
        sb.append("#EXT-X-MEDIA-SEQUENCE:").append(mediaSequence).append('\n');
        entries.forEach(sb::append);
        if (closed) {
            sb.append("#EXT-X-ENDLIST\n");
        }
        return sb.toString();
    }
}
