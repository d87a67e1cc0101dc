package org.jegress.server.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the Xing/Info header of an MP3's first frame: the frame count players use for CBR duration. */
final class Xing {

    private Xing() {
    }

    /** Frame count from the Xing/Info tag, or -1 if there is no tag or it carries no count. */
    static long frames(Path mp3) throws IOException {
        byte[] d = Files.readAllBytes(mp3);
        int start = 0;
        if (d.length > 10 && d[0] == 'I' && d[1] == 'D' && d[2] == '3') {
            // ID3v2 size is a 28-bit syncsafe integer.
            start = 10 + ((d[6] & 0x7f) << 21 | (d[7] & 0x7f) << 14 | (d[8] & 0x7f) << 7 | (d[9] & 0x7f));
        }
        for (int i = start; i < Math.min(d.length - 12, start + 256); i++) {
            boolean xing = d[i] == 'X' && d[i + 1] == 'i' && d[i + 2] == 'n' && d[i + 3] == 'g';
            boolean info = d[i] == 'I' && d[i + 1] == 'n' && d[i + 2] == 'f' && d[i + 3] == 'o';
            if (xing || info) {
                int flags = d[i + 7] & 0xff;
                if ((flags & 1) == 0) {
                    return -1;
                }
                return (d[i + 8] & 0xffL) << 24 | (d[i + 9] & 0xffL) << 16 | (d[i + 10] & 0xffL) << 8
                        | (d[i + 11] & 0xffL);
            }
        }
        return -1;
    }
}
