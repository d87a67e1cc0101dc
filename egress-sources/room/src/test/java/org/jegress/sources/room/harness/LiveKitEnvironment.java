package org.jegress.sources.room.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.jegress.sources.room.RoomOptions;

/**
 * What a {@code @Tag("livekit")} test gets from {@link LiveKitExtension}: one livekit-server for the test class,
 * unique room names, publishers, recorder options, and a work directory for outputs and logs.
 */
public final class LiveKitEnvironment implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final TestNamespace ns;
    private final LiveKitServer server;
    private final Path workDir;
    private final Path socketDir;
    private final Path nodeDir;
    private final List<TestPublisher> publishers = new ArrayList<>();

    LiveKitEnvironment(TestNamespace ns, LiveKitServer server, Path workDir, Path socketDir, Path nodeDir) {
        this.ns = ns;
        this.server = server;
        this.workDir = workDir;
        this.socketDir = socketDir;
        this.nodeDir = nodeDir;
    }

    public TestNamespace namespace() {
        return ns;
    }

    public LiveKitServer server() {
        return server;
    }

    /** Per-class directory (under target/room-it) for recordings and process logs; kept after the run. */
    public Path workDir() {
        return workDir;
    }

    /** A room name no other test of this JVM uses. */
    public String newRoom(String hint) {
        return hint.toLowerCase(Locale.ROOT) + "-" + ProcessHandle.current().pid() + "-"
                + COUNTER.incrementAndGet();
    }

    /** Starts a publisher that joined {@code room}; closed with the environment if the test does not. */
    public synchronized TestPublisher publisher(String room, String identity) throws IOException,
            InterruptedException {
        return publisher(room, identity, null);
    }

    /** A publisher of a given participant kind ("agent", "sip", …; null: standard). */
    public synchronized TestPublisher publisher(String room, String identity, String kind) throws IOException,
            InterruptedException {
        TestPublisher p = TestPublisher.start(ns, server, nodeDir, socketDir, workDir, room, identity, kind);
        publishers.add(p);
        return p;
    }

    /** Recorder options for {@code room} against this server (hidden recorder token minted per join). */
    public RoomOptions.Builder recorder(String room, String identity) {
        return RoomOptions.builder(server.wsUrl(), LiveKitServer.API_KEY, LiveKitServer.API_SECRET)
                .room(room).identity(identity).joinTimeout(Duration.ofSeconds(10));
    }

    /** A file path in the work directory. */
    public Path file(String name) throws IOException {
        Files.createDirectories(workDir);
        return workDir.resolve(name);
    }

    @Override
    public synchronized void close() {
        for (TestPublisher p : publishers) {
            p.close();
        }
        publishers.clear();
        server.close();
        try (var s = Files.list(socketDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(socketDir);
        } catch (IOException e) {
            // best effort
        }
    }
}
