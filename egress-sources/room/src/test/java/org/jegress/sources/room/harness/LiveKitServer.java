package org.jegress.sources.room.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jegress.api.auth.EgressToken;
import org.jegress.sources.process.ManagedProcess;

/**
 * A real livekit-server (v1.13.5, single node, no Redis) inside the test namespace: HTTP/WebSocket on
 * {@code <serverIp>:7880}, ICE/TCP 7881, ICE/UDP mux 7882, advertising {@code node_ip = serverIp}. Keys
 * {@code devkey: secret}. Stopped (SIGTERM, then SIGKILL) on {@link #close()}, and with the JVM in any case.
 */
public final class LiveKitServer implements AutoCloseable {

    public static final String API_KEY = "devkey";
    public static final String API_SECRET = "secret";
    public static final String REQUIRED_VERSION = "1.13.5";
    public static final int PORT = 7880;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestNamespace ns;
    private final ManagedProcess process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final long startupMillis;

    private LiveKitServer(TestNamespace ns, ManagedProcess process, Path log, long startupMillis) {
        this.ns = ns;
        this.process = process;
        this.log = log;
        this.startupMillis = startupMillis;
    }

    /** Starts the server and waits until it answers HTTP. */
    public static LiveKitServer start(TestNamespace ns, Path workDir) throws IOException, InterruptedException {
        String binary = binary();
        Path config = workDir.resolve("livekit.yaml");
        Files.writeString(config, String.join("\n",
                "port: " + PORT,
                "bind_addresses:",
                "  - " + ns.serverIp(),
                "rtc:",
                "  tcp_port: 7881",
                "  udp_port: 7882",
                "  use_external_ip: false",
                "  node_ip: " + ns.serverIp(),
                // without it clients are told to use public STUN servers by host name; keep every lookup and
                // binding request inside the namespace (nothing listens there, so server-reflexive gathering
                // simply finds nothing)
                "  stun_servers:",
                "    - " + ns.serverIp() + ":3478",
                "keys:",
                "  " + API_KEY + ": " + API_SECRET,
                "logging:",
                "  level: " + System.getProperty("livekit.log.level", "info"),
                "room:",
                "  empty_timeout: 60",
                "  departure_timeout: 10",
                ""));
        Path log = workDir.resolve("livekit-server.log");
        long t0 = System.nanoTime();
        ManagedProcess p = ManagedProcess.start("livekit-server",
                ns.exec(List.of(binary, "--config", config.toString())), Map.of(), log, false);
        LiveKitServer s = new LiveKitServer(ns, p, log, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("livekit-server exited:\n" + p.tail(30));
            }
            try {
                HttpResponse<String> r = s.http.send(HttpRequest.newBuilder(URI.create(s.httpUrl() + "/"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                p.close();
                throw new IllegalStateException("livekit-server did not answer within 20 s:\n" + p.tail(30));
            }
            Thread.sleep(100);
        }
        return new LiveKitServer(ns, p, log, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * The livekit-server binary: {@code $LIVEKIT_SERVER_BIN}, else {@code server} on PATH or in ~/go/bin (where
     * {@code go install github.com/livekit/livekit-server/cmd/server@v1.13.5}, run by scripts/setup, puts it),
     * whichever reports version 1.13.5.
     */
    static String binary() throws IOException, InterruptedException {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("LIVEKIT_SERVER_BIN");
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        candidates.add(System.getProperty("user.home") + "/go/bin/server");
        candidates.add("server");
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "--version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor(10, TimeUnit.SECONDS) && out.contains("livekit-server")
                        && out.contains(REQUIRED_VERSION)) {
                    return c;
                }
            } catch (IOException e) {
                // try the next one
            }
        }
        throw new IllegalStateException("livekit-server " + REQUIRED_VERSION + " not found (tried " + candidates
                + "); run scripts/setup test");
    }

    public String wsUrl() {
        return "ws://" + ns.serverIp() + ":" + PORT;
    }

    public String httpUrl() {
        return "http://" + ns.serverIp() + ":" + PORT;
    }

    public long startupMillis() {
        return startupMillis;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Watchdog pid (the server is its child); for SIGSTOP/SIGCONT experiments use {@link #serverPids()}. */
    public List<Long> serverPids() {
        List<Long> out = new ArrayList<>();
        ProcessHandle.of(process.pid()).ifPresent(h -> h.descendants().forEach(d -> out.add(d.pid())));
        return out;
    }

    /** A token for a normal participant that may publish and subscribe. */
    public static String participantToken(String room, String identity) {
        return participantToken(room, identity, null);
    }

    /**
     * A token for a participant that may publish and subscribe.
     *
     * @param kind participant kind claim ("agent", "sip", …), or null for a standard participant
     */
    public static String participantToken(String room, String identity, String kind) {
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("roomJoin", true);
        video.put("room", room);
        video.put("canPublish", true);
        video.put("canSubscribe", true);
        video.put("canPublishData", true);
        return token(identity, video, kind);
    }

    private static String token(String identity, Map<String, Object> video) {
        return token(identity, video, null);
    }

    private static String token(String identity, Map<String, Object> video, String kind) {
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = Instant.now().getEpochSecond();
        claims.put("iss", API_KEY);
        claims.put("sub", identity);
        claims.put("name", identity);
        claims.put("nbf", now - 5);
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        claims.put("video", video);
        if (kind != null) {
            claims.put("kind", kind);
        }
        return EgressToken.sign(claims, API_SECRET);
    }

    /** One participant as RoomService.ListParticipants reports it (which, unlike clients, includes hidden ones). */
    public record ListedParticipant(String sid, String identity, String state, boolean hidden, boolean recorder,
            String kind) {
    }

    /** RoomService.ListParticipants over Twirp/JSON. */
    public List<ListedParticipant> listParticipants(String room) throws IOException, InterruptedException {
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("roomAdmin", true);
        video.put("room", room);
        HttpRequest req = HttpRequest.newBuilder(URI.create(httpUrl() + "/twirp/livekit.RoomService/ListParticipants"))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token("admin", video))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("room", room))))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("ListParticipants: HTTP " + r.statusCode() + " " + r.body());
        }
        List<ListedParticipant> out = new ArrayList<>();
        for (JsonNode p : JSON.readTree(r.body()).path("participants")) {
            JsonNode perm = p.path("permission");
            out.add(new ListedParticipant(p.path("sid").asText(), p.path("identity").asText(),
                    p.path("state").asText(), perm.path("hidden").asBoolean(), perm.path("recorder").asBoolean(),
                    p.path("kind").asText()));
        }
        return out;
    }

    @Override
    public void close() {
        process.close();
    }
}
