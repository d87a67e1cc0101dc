package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An HLS media playlist as a player reads it. */
public record M3u8(String type, boolean ended, long mediaSequence, int targetDuration, List<Entry> entries) {

    /** One segment: its program date, length and URI. */
    public record Entry(Instant programDate, double duration, String uri) {
    }

    public static M3u8 read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.get(0).equals("#EXTM3U")) {
            throw new IOException(file + " is not a playlist");
        }
        String type = "";
        boolean ended = false;
        long seq = 0;
        int target = 0;
        List<Entry> entries = new ArrayList<>();
        Instant pdt = null;
        double duration = 0;
        for (String line : lines) {
            if (line.startsWith("#EXT-X-PLAYLIST-TYPE:")) {
                type = line.substring("#EXT-X-PLAYLIST-TYPE:".length());
            } else if (line.equals("#EXT-X-ENDLIST")) {
                ended = true;
            } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                seq = Long.parseLong(line.substring("#EXT-X-MEDIA-SEQUENCE:".length()));
            } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
                target = Integer.parseInt(line.substring("#EXT-X-TARGETDURATION:".length()));
            } else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                pdt = Instant.parse(line.substring("#EXT-X-PROGRAM-DATE-TIME:".length()));
            } else if (line.startsWith("#EXTINF:")) {
                duration = Double.parseDouble(line.substring("#EXTINF:".length()).replace(",", ""));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                entries.add(new Entry(pdt, duration, line));
            }
        }
        return new M3u8(type, ended, seq, target, List.copyOf(entries));
    }
}
