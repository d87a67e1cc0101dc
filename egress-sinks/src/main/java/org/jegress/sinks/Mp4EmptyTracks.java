package org.jegress.sinks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes the tracks without a sample description out of a fragmented MP4's {@code moov}. A recording stopped within
 * moments of its start can end before the video encoder's first frame; mp4mux has then already written the
 * {@code moov} (at the head of a fragmented file, written once) with a video track that has no sample entry, and
 * neither FFmpeg nor qtdemux opens the file. Each such {@code trak}, and the {@code trex} of its track in
 * {@code mvex}, becomes a {@code free} box of the same size: four bytes change per box, every offset stays valid, and
 * the file opens with the tracks that have media.
 */
final class Mp4EmptyTracks {

    private static final int HEADER = 8;

    private Mp4EmptyTracks() {
    }

    /** A box: where it starts, its type, the size of its header and its whole size. */
    private record Box(long at, String type, int header, long size) {
        long body() {
            return at + header;
        }

        long end() {
            return at + size;
        }
    }

    /**
     * Rewrites, in place, the type of every empty {@code trak} and its {@code trex}.
     *
     * @return the IDs of the tracks left out (empty if the file had none, or is not an MP4 with a {@code moov})
     */
    static List<Integer> leaveOut(Path file) throws IOException {
        List<Integer> removed = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Box moov = children(ch, 0, ch.size()).stream().filter(b -> b.type().equals("moov")).findFirst()
                    .orElse(null);
            if (moov == null) {
                return removed;
            }
            List<Box> inMoov = children(ch, moov.body(), moov.end());
            for (Box trak : inMoov) {
                if (trak.type().equals("trak") && !hasSampleEntry(ch, trak)) {
                    Box tkhd = child(ch, trak, "tkhd");
                    if (tkhd == null) {
                        continue;
                    }
                    int version = read(ch, tkhd.body(), 1).get() & 0xff;
                    removed.add(read(ch, tkhd.body() + (version == 1 ? 20 : 12), 4).getInt());
                    free(ch, trak);
                }
            }
            for (Box mvex : inMoov) {
                if (mvex.type().equals("mvex")) {
                    for (Box trex : children(ch, mvex.body(), mvex.end())) {
                        if (trex.type().equals("trex") && removed.contains(read(ch, trex.body() + 4, 4).getInt())) {
                            free(ch, trex);
                        }
                    }
                }
            }
            if (!removed.isEmpty()) {
                ch.force(true);
            }
        }
        return removed;
    }

    /** Whether {@code trak/mdia/minf/stbl/stsd} exists and has at least one entry. */
    private static boolean hasSampleEntry(FileChannel ch, Box trak) throws IOException {
        Box b = trak;
        for (String type : List.of("mdia", "minf", "stbl", "stsd")) {
            b = child(ch, b, type);
            if (b == null) {
                return false;
            }
        }
        // stsd: version and flags, then the entry count
        return b.size() >= b.header() + 8 && read(ch, b.body() + 4, 4).getInt() > 0;
    }

    private static Box child(FileChannel ch, Box parent, String type) throws IOException {
        return children(ch, parent.body(), parent.end()).stream().filter(b -> b.type().equals(type)).findFirst()
                .orElse(null);
    }

    private static List<Box> children(FileChannel ch, long from, long to) throws IOException {
        List<Box> boxes = new ArrayList<>();
        long at = from;
        while (at + HEADER <= to) {
            ByteBuffer h = read(ch, at, (int) Math.min(16, to - at));
            long size = Integer.toUnsignedLong(h.getInt());
            byte[] type = new byte[4];
            h.get(type);
            int header = HEADER;
            if (size == 1 && h.remaining() >= 8) {
                size = h.getLong();
                header = 16;
            } else if (size == 0) {
                size = to - at;
            }
            if (size < header || at + size > to) {
                break;
            }
            boxes.add(new Box(at, new String(type, StandardCharsets.ISO_8859_1), header, size));
            at += size;
        }
        return boxes;
    }

    private static void free(FileChannel ch, Box box) throws IOException {
        ch.write(ByteBuffer.wrap("free".getBytes(StandardCharsets.ISO_8859_1)), box.at() + 4);
    }

    private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
            // read on
        }
        return b.flip();
    }
}
