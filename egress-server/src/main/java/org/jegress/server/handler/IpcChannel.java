package org.jegress.server.handler;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import com.sun.jna.Library;
import com.sun.jna.Native;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler's event channel: the pipe the worker reads as this process's stdout, moved to a descriptor of its own
 * at start-up, with file descriptor 1 then pointing at stderr. Whatever else writes to stdout afterwards (a GStreamer
 * plugin's printf, the JVM's crash report) lands in the log instead of corrupting the events of every egress the
 * process hosts.
 */
final class IpcChannel {

    private static final Logger LOG = LoggerFactory.getLogger(IpcChannel.class);

    private interface LibC extends Library {
        int dup(int fd);

        int dup2(int from, int to);
    }

    private IpcChannel() {
    }

    /** The event stream; falls back to plain stdout where the descriptors cannot be moved. */
    static OutputStream open() {
        try {
            LibC libc = Native.load("c", LibC.class);
            int ipc = libc.dup(1);
            if (ipc >= 0) {
                // opening /proc/self/fd/N of a pipe opens the same pipe
                OutputStream out = new FileOutputStream("/proc/self/fd/" + ipc);
                if (libc.dup2(2, 1) >= 0) {
                    return out;
                }
                out.close();
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.debug("IPC stays on stdout: {}", e.toString());
        }
        return new FileOutputStream(FileDescriptor.out);
    }
}
