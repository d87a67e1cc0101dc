package org.jegress.api.plan;

import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.SegmentedFileSuffix;

/**
 * The HLS output: MPEG-TS segments of {@code segmentDuration} seconds and an EVENT playlist, plus a live playlist of
 * the last five segments when asked for. Names follow upstream's rules ({@code SegmentConfig.updatePrefixAndPlaylist},
 * {@link #named}): the playlist decides the storage directory, a segment prefix in another directory keeps its own.
 *
 * @param storageDir directory of the playlists in storage, "" or ending in {@code /}
 * @param playlistFilename name of the EVENT playlist, {@code .m3u8}
 * @param livePlaylistFilename name of the live playlist, or "" for none
 * @param segmentPrefix segment names start with it (relative to {@code storageDir}, may hold a subdirectory)
 * @param suffix INDEX ({@code _00000.ts}) or TIMESTAMP ({@code _20060102150405000.ts}, the segment's start)
 * @param segmentDuration target segment length in seconds
 * @param disableManifest skip the {@code <egress_id>.json} manifest next to the playlist
 * @param storage where segments and playlists go
 * @param pending the raw names while they still depend on the room's tracks, or null
 */
public record SegmentsPlan(String storageDir, String playlistFilename, String livePlaylistFilename,
        String segmentPrefix, SegmentedFileSuffix suffix, int segmentDuration, boolean disableManifest,
        StorageTarget storage, Pending pending) {

    /** Default segment length (upstream). */
    public static final int DEFAULT_SEGMENT_DURATION = 4;
    /** Segments in the live playlist's window (upstream). */
    public static final int LIVE_WINDOW = 5;

    /** The requested names, placeholders known at request time replaced, for a later {@link #resolve}. */
    public record Pending(String prefix, String playlist, String livePlaylist, String generatedName) {
    }

    /** The EVENT playlist's path in storage ({@code SegmentsInfo.playlist_name}). */
    public String playlistPath() {
        return storageDir + playlistFilename;
    }

    /** The live playlist's path in storage, or "" ({@code SegmentsInfo.live_playlist_name}). */
    public String livePlaylistPath() {
        return livePlaylistFilename.isEmpty() ? "" : storageDir + livePlaylistFilename;
    }

    /** A segment's file name, relative to {@link #storageDir()}: {@code <prefix>_<suffix>.ts}. */
    public String segmentName(String suffixText) {
        return segmentPrefix + "_" + suffixText + OutputType.TS.extension();
    }

    /** The plan with room-dependent placeholders filled in; itself when nothing was pending. */
    public SegmentsPlan resolve(java.util.Map<String, String> replacements) {
        if (pending == null) {
            return this;
        }
        return named(replace(pending.prefix(), replacements), replace(pending.playlist(), replacements),
                replace(pending.livePlaylist(), replacements), pending.generatedName(), suffix, segmentDuration,
                disableManifest, storage, null);
    }

    static String replace(String s, java.util.Map<String, String> replacements) {
        String out = s;
        for (java.util.Map.Entry<String, String> e : replacements.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * Resolves prefix, playlist and live playlist names the upstream way.
     *
     * @param prefix cleaned {@code filename_prefix}, placeholders replaced
     * @param playlist cleaned {@code playlist_name}, placeholders replaced
     * @param livePlaylist cleaned {@code live_playlist_name}, placeholders replaced
     * @param generatedName {@code <identifier>-<time>[-<retry>]}, used when neither prefix nor playlist names one
     */
    static SegmentsPlan named(String prefix, String playlist, String livePlaylist, String generatedName,
            SegmentedFileSuffix suffix, int segmentDuration, boolean disableManifest, StorageTarget storage,
            Pending pending) {
        String playlistDir = dir(playlist);
        String playlistName = name(playlist);
        String liveDir = dir(livePlaylist);
        String liveName = name(livePlaylist);
        String segmentDir = dir(prefix);
        String segmentPrefix = name(prefix);

        if (!liveDir.isEmpty() && !liveDir.equals(playlistDir)) {
            throw EgressException.invalidInput("live_playlist_name must be in same directory as playlist_name");
        }
        playlistName = withoutExtension(playlistName);
        liveName = withoutExtension(liveName);

        // a segment prefix keeps its directory only when it differs from the playlist's
        if (!segmentDir.isEmpty()) {
            if (segmentDir.equals(playlistDir)) {
                segmentDir = "";
            } else if (playlistDir.isEmpty()) {
                playlistDir = segmentDir;
                segmentDir = "";
            }
        }
        if (playlistName.isEmpty()) {
            playlistName = segmentPrefix.isEmpty() ? generatedName : segmentPrefix;
        }
        if (segmentPrefix.isEmpty()) {
            segmentPrefix = playlistName;
        }
        String ext = OutputType.HLS.extension();
        String playlistFilename = playlistName + ext;
        String liveFilename = liveName.isEmpty() ? "" : liveName + ext;
        if (playlistFilename.equals(liveFilename)) {
            throw EgressException.invalidInput("live_playlist_name cannot be identical to playlist_name");
        }
        return new SegmentsPlan(playlistDir, playlistFilename, liveFilename, segmentDir + segmentPrefix, suffix,
                segmentDuration, disableManifest, storage, pending);
    }

    /** Go's path.Split: everything up to and including the last slash. */
    static String dir(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash + 1);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Upstream drops whatever follows the last dot of a playlist name, known extension or not. */
    private static String withoutExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** The plan with another segment length (lowered to match a stream's key frame interval). */
    public SegmentsPlan withSegmentDuration(int seconds) {
        return new SegmentsPlan(storageDir, playlistFilename, livePlaylistFilename, segmentPrefix, suffix, seconds,
                disableManifest, storage, pending);
    }
}
