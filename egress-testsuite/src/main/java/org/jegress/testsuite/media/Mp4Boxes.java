package org.jegress.testsuite.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** The top-level boxes of an MP4 file, in order: tells an ordinary MP4 (one moov) from a fragmented one. */
public final class Mp4Boxes {

    private Mp4Boxes() {
    }

    public static List<String> topLevel(Path file) throws IOException {
        List<String> boxes = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(16);
            while (pos + 8 <= size) {
                header.clear();
                ch.read(header, pos);
                header.flip();
                long len = header.getInt() & 0xffffffffL;
                byte[] type = new byte[4];
                header.get(type);
                boxes.add(new String(type, java.nio.charset.StandardCharsets.ISO_8859_1));
                if (len == 1) {
                    len = header.getLong();
                } else if (len == 0) {
                    break;
                }
                pos += len;
            }
        }
        return boxes;
    }
}
