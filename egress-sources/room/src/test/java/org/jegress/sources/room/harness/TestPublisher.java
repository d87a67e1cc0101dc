package org.jegress.sources.room.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.sources.process.ManagedProcess;

/**
 * A real LiveKit participant publishing generated media, driven step by step from the test: a node process running
 * {@code src/test/node/publisher.mjs} ({@code @livekit/rtc-node} 1.1.0, libwebrtc inside) in the test namespace,
 * controlled over a unix socket (sockets are files, so namespaces do not matter). Audio is a continuous sine tone
 * (Opus); video is 320x240 at 15 fps, a full-frame colour cycling red → green → blue every second with a moving
 * white bar, encoded as VP8 (libvpx) or H.264 (OpenH264).
 */
public final class TestPublisher implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String identity;
    private final ManagedProcess process;
    private final Path socket;
    private SocketChannel channel;
    private BufferedReader in;
    private OutputStream out;

    private TestPublisher(String identity, ManagedProcess process, Path socket) {
        this.identity = identity;
        this.process = process;
        this.socket = socket;
    }

    /** Joins {@code room} as {@code identity} and waits until the control socket is up (the room is joined then). */
    static TestPublisher start(TestNamespace ns, LiveKitServer server, Path nodeDir, Path socketDir, Path logDir,
            String room, String identity, String kind) throws IOException, InterruptedException {
        return start(ns, server.wsUrl(), LiveKitServer.participantToken(room, identity, kind), nodeDir, socketDir,
                logDir.resolve("publisher-" + room + "-" + identity + ".log"), identity);
    }

    /**
     * Joins the room the token names, on any livekit-server inside the namespace (for tests that run their own
     * server, e.g. one attached to Redis).
     *
     * @param nodeDir directory holding publisher.mjs and its node_modules
     * @param socketDir where the control socket goes (keep the path short)
     * @param log the publisher's log file
     */
    public static TestPublisher start(TestNamespace ns, String wsUrl, String token, Path nodeDir, Path socketDir,
            Path log, String identity) throws IOException, InterruptedException {
        Path sock = socketDir.resolve("pub-" + identity + ".sock");
        Files.deleteIfExists(sock);
        ManagedProcess p = ManagedProcess.start("publisher-" + identity, ns.exec(List.of("node",
                nodeDir.resolve("publisher.mjs").toString(), "--url", wsUrl, "--token", token, "--control",
                sock.toString())), Map.of(), log, false);
        TestPublisher pub = new TestPublisher(identity, p, sock);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("publisher " + identity + " exited:\n" + p.tail(20));
            }
            if (Files.exists(sock)) {
                try {
                    pub.open();
                    return pub;
                } catch (IOException e) {
                    // not accepting yet
                }
            }
            if (System.nanoTime() > deadline) {
                p.close();
                throw new IllegalStateException("publisher " + identity + " not ready within 20 s:\n" + p.tail(20));
            }
            Thread.sleep(50);
        }
    }

    private void open() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        channel = ch;
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        out = Channels.newOutputStream(ch);
    }

    public String identity() {
        return identity;
    }

    /** Sends one command and returns its (successful) reply. */
    public synchronized JsonNode command(Map<String, Object> command) throws IOException {
        out.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String line = in.readLine();
        if (line == null) {
            throw new IOException("publisher " + identity + " closed its control socket:\n" + process.tail(20));
        }
        JsonNode reply = JSON.readTree(line);
        if (!reply.path("ok").asBoolean()) {
            throw new IOException("publisher " + identity + ": " + command.get("cmd") + " failed: "
                    + reply.path("error").asText());
        }
        return reply;
    }

    private static Map<String, Object> cmd(String name, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", name);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Publishes a sine tone as an Opus microphone track; returns the track SID. */
    public String publishTone(String name, int frequencyHz) throws IOException {
        return command(cmd("publishAudio", "name", name, "frequency", frequencyHz)).path("sid").asText();
    }

    /** Publishes a sine tone as an Opus screen-share audio track; returns the track SID. */
    public String publishScreenShareAudio(String name, int frequencyHz) throws IOException {
        return command(cmd("publishAudio", "name", name, "frequency", frequencyHz, "source", "screen_share_audio"))
                .path("sid").asText();
    }

    /** Publishes a screen-share video track of one fixed colour; returns the track SID. */
    public String publishScreenShare(String name, String codec, int r, int g, int b) throws IOException {
        return command(cmd("publishVideo", "name", name, "codec", codec, "width", 320, "height", 240, "fps", 15,
                "source", "screen_share", "colour", List.of(r, g, b))).path("sid").asText();
    }

    /** Publishes a camera track of one fixed colour (a thin white bar sweeps across it); returns the track SID. */
    public String publishCamera(String name, String codec, int width, int height, int r, int g, int b)
            throws IOException {
        return command(cmd("publishVideo", "name", name, "codec", codec, "width", width, "height", height, "fps", 15,
                "colour", List.of(r, g, b))).path("sid").asText();
    }

    /**
     * Publishes a camera track of one fixed colour as browsers do by default, in simulcast layers (the full size, a
     * half and a quarter); returns the track SID.
     */
    public String publishSimulcastCamera(String name, String codec, int width, int height, int fps, int r, int g,
            int b) throws IOException {
        return command(cmd("publishVideo", "name", name, "codec", codec, "width", width, "height", height, "fps", fps,
                "colour", List.of(r, g, b), "simulcast", true)).path("sid").asText();
    }

    /** Publishes a camera track ("vp8" or "h264"); returns the track SID. */
    public String publishVideo(String name, String codec) throws IOException {
        return command(cmd("publishVideo", "name", name, "codec", codec, "width", 320, "height", 240, "fps", 15))
                .path("sid").asText();
    }

    /** Camera + microphone with sync marks (a white flash and a 1 kHz beep at every whole second). */
    public record AvTracks(String audio, String video) {
    }

    /**
     * Publishes a 30 fps camera ("h264" or "vp8") and a microphone carrying sync marks: at the start of every second
     * of one shared clock, a 100 ms white flash over mid grey and a 100 ms 1 kHz beep over a quiet 300 Hz tone.
     */
    public AvTracks publishAv(String codec) throws IOException {
        JsonNode r = command(cmd("publishAv", "codec", codec));
        return new AvTracks(r.path("audio").asText(), r.path("video").asText());
    }

    public void unpublish(String trackSid) throws IOException {
        command(cmd("unpublish", "sid", trackSid));
    }

    public void mute(String trackSid, boolean muted) throws IOException {
        command(cmd("mute", "sid", trackSid, "muted", muted));
    }

    /** Identities of the other participants this client sees. */
    public List<String> visibleParticipants() throws IOException {
        List<String> ids = new ArrayList<>();
        command(cmd("participants")).path("participants").forEach(p -> ids.add(p.path("identity").asText()));
        return ids;
    }

    /** Outbound RTP stats of the publisher's own tracks (keyFramesEncoded, pliCount, firCount, encoder, ...). */
    public JsonNode outboundStats() throws IOException {
        return command(cmd("stats")).path("outbound");
    }

    /** Keyframes the publisher's video encoders produced so far (libwebrtc's keyFramesEncoded). */
    public long keyframesEncoded() throws IOException {
        long n = 0;
        for (JsonNode s : outboundStats()) {
            if ("video".equals(s.path("kind").asText())) {
                n += s.path("keyFramesEncoded").asLong();
            }
        }
        return n;
    }

    /**
     * Sum of PLI + FIR requests the publisher's video encoders received, as libwebrtc reports them (its counter lags:
     * {@link #keyframesEncoded()} is the reliable evidence that a request reached the encoder).
     */
    public long keyframeRequestsReceived() throws IOException {
        long n = 0;
        for (JsonNode s : outboundStats()) {
            if ("video".equals(s.path("kind").asText())) {
                n += s.path("pliCount").asLong() + s.path("firCount").asLong();
            }
        }
        return n;
    }

    /** Leaves the room (the server sees the participant disconnect) and lets the process exit. */
    public void disconnect() throws IOException, InterruptedException {
        try {
            command(cmd("disconnect"));
        } catch (IOException e) {
            // the process may already be on its way out
        }
        process.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        close();
    }

    public String logTail(int lines) {
        return process.tail(lines);
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // ignore
        }
        process.close();
    }
}
