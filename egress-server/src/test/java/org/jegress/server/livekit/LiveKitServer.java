package org.jegress.server.livekit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpServer;

import org.jegress.api.auth.EgressToken;
import org.jegress.api.livekit.EgressInfo;
import org.jegress.api.livekit.ListEgressRequest;
import org.jegress.api.livekit.ListEgressResponse;

/**
 * A real livekit-server v1.13.5 on loopback, attached to a test Redis, with a webhook receiver, and a Twirp client
 * that calls its Egress API the way {@code lk egress} does (JWT with {@code roomRecord}).
 */
public final class LiveKitServer implements AutoCloseable {

    public static final String API_KEY = "devkey";
    /** livekit-server wants secrets of at least 32 characters outside --dev. */
    public static final String API_SECRET = "egress-test-secret-0123456789abcdef";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

    private final Process process;
    private final String ip;
    private final int port;
    private final HttpServer hooks;
    private final List<JsonNode> webhooks = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private LiveKitServer(Process process, String ip, int port, HttpServer hooks) {
        this.process = process;
        this.ip = ip;
        this.port = port;
        this.hooks = hooks;
    }

    /** Starts livekit-server with {@code redisAddress} (host:port), logs to {@code dir/livekit.log}. */
    public static LiveKitServer start(String redisAddress, Path dir) throws Exception {
        return start(redisAddress, dir, "127.0.0.1");
    }

    /**
     * Starts livekit-server on {@code ip} (and as its node IP): 127.0.0.1 for API-only tests, the test network
     * namespace's veth address where WebRTC must work (libnice ignores loopback).
     */
    public static LiveKitServer start(String redisAddress, Path dir, String ip) throws Exception {
        return startWithRedis(List.of("  address: " + redisAddress), dir, ip);
    }

    /** As {@link #start(String, Path, String)}, with the lines of its {@code redis:} block (e.g. sentinel keys). */
    public static LiveKitServer startWithRedis(List<String> redisBlock, Path dir, String ip) throws Exception {
        HttpServer hooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        LiveKitServer[] self = new LiveKitServer[1];
        hooks.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (self[0] != null) {
                self[0].webhooks.add(JSON.readTree(body));
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hooks.start();

        int port = freePort();
        Path config = dir.resolve("livekit.yaml");
        Files.writeString(config, String.join("\n",
                "port: " + port,
                "bind_addresses: [\"" + ip + "\"]",
                "rtc:",
                "  tcp_port: " + freePort(),
                "  udp_port: " + freePort(),
                "  use_external_ip: false",
                "  node_ip: " + ip,
                // clients would otherwise be sent to public STUN servers by host name: keep every lookup and
                // binding request on this host (nothing listens there, so no reflexive candidates)
                "  stun_servers:",
                "    - " + ip + ":3478",
                "redis:",
                String.join("\n", redisBlock),
                "keys:",
                "  " + API_KEY + ": " + API_SECRET,
                "webhook:",
                "  api_key: " + API_KEY,
                "  urls: [\"http://127.0.0.1:" + hooks.getAddress().getPort() + "/hook\"]",
                "logging:",
                "  level: info",
                ""));
        Process p = new ProcessBuilder(binary(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("livekit.log").toFile())
                .start();
        LiveKitServer s = new LiveKitServer(p, ip, port, hooks);
        self[0] = s;
        s.awaitReady(dir.resolve("livekit.log"));
        return s;
    }

    /** {@code server} from PATH or ~/go/bin (where {@code go install} puts it). */
    static String binary() {
        Path goBin = Path.of(System.getProperty("user.home"), "go", "bin", "server");
        if (Files.isExecutable(goBin)) {
            return goBin.toString();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "server");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("livekit-server ('server') not found; scripts/setup test installs it");
    }

    private void awaitReady(Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("livekit-server exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("livekit-server did not come up: " + Files.readString(log));
    }

    public String url() {
        return "http://" + ip + ":" + port;
    }

    public String wsUrl() {
        return "ws://" + ip + ":" + port;
    }

    /** A token for a participant that publishes and subscribes in {@code room}. */
    public static String participantToken(String room, String identity) {
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("roomJoin", true);
        video.put("room", room);
        video.put("canPublish", true);
        video.put("canSubscribe", true);
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = Instant.now().getEpochSecond();
        claims.put("iss", API_KEY);
        claims.put("sub", identity);
        claims.put("name", identity);
        claims.put("nbf", now - 10);
        claims.put("exp", now + 3600);
        claims.put("video", video);
        return EgressToken.sign(claims, API_SECRET);
    }

    /** Every webhook body received so far, in arrival order. */
    public List<JsonNode> webhooks() {
        return List.copyOf(webhooks);
    }

    /** The events of the webhooks for one egress, in order (e.g. egress_started, egress_updated, egress_ended). */
    public List<String> webhookEvents(String egressId) {
        List<String> events = new ArrayList<>();
        for (JsonNode w : webhooks) {
            if (egressId.equals(w.path("egressInfo").path("egressId").asText())) {
                // proto3 JSON leaves the zero enum value out: no status means EGRESS_STARTING.
                String status = w.path("egressInfo").path("status").asText("");
                events.add(w.path("event").asText() + ":" + (status.isEmpty() ? "EGRESS_STARTING" : status));
            }
        }
        return events;
    }

    // ------------------------------------------------------------------------------------------- Twirp

    /** The error of a failed Twirp call: Twirp code and message. */
    public static final class TwirpException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int status;
        public final String code;

        TwirpException(int status, String code, String msg) {
            super(code + ": " + msg);
            this.status = status;
            this.code = code;
        }
    }

    /** Calls {@code livekit.Egress/<method>} with a JSON body and parses the JSON answer into {@code into}. */
    public <T extends Message> T call(String method, String jsonBody, Message.Builder into) {
        return call("livekit.Egress", method, jsonBody, into);
    }

    /** {@code livekit.RoomService/CreateRoom} with a JSON body (e.g. an {@code egress.room} auto egress). */
    public void createRoom(String jsonBody) {
        call("livekit.RoomService", "CreateRoom", jsonBody, com.google.protobuf.Struct.newBuilder());
    }

    /** {@code livekit.Egress/UpdateLayout}: livekit-server passes the layout to the recorder through its metadata. */
    public EgressInfo updateLayout(String egressId, String layout) {
        return egress("UpdateLayout", "{\"egress_id\": \"" + egressId + "\", \"layout\": \"" + layout + "\"}");
    }

    /** Calls {@code <service>/<method>} over Twirp with a JSON body and parses the JSON answer into {@code into}. */
    public <T extends Message> T call(String service, String method, String jsonBody, Message.Builder into) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create(url() + "/twirp/" + service + "/" + method))
                    .header("Authorization", "Bearer " + adminToken())
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                JsonNode err = JSON.readTree(r.body());
                throw new TwirpException(r.statusCode(), err.path("code").asText(), err.path("msg").asText());
            }
            PARSER.merge(r.body(), into);
            @SuppressWarnings("unchecked")
            T built = (T) into.build();
            return built;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public EgressInfo egress(String method, String jsonBody) {
        return call(method, jsonBody, EgressInfo.newBuilder());
    }

    public EgressInfo stop(String egressId) {
        return egress("StopEgress", "{\"egress_id\": \"" + egressId + "\"}");
    }

    public List<EgressInfo> list(boolean active) {
        ListEgressResponse r = call("ListEgress", print(ListEgressRequest.newBuilder().setActive(active).build()),
                ListEgressResponse.newBuilder());
        return r.getItemsList();
    }

    public EgressInfo get(String egressId) {
        ListEgressResponse r = call("ListEgress", print(ListEgressRequest.newBuilder().setEgressId(egressId).build()),
                ListEgressResponse.newBuilder());
        if (r.getItemsCount() != 1) {
            throw new IllegalStateException("egress " + egressId + " not listed: " + r);
        }
        return r.getItems(0);
    }

    private static String print(Message m) {
        try {
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token like the one {@code lk} sends: roomRecord and friends. */
    static String adminToken() {
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("roomRecord", true);
        video.put("roomAdmin", true);
        video.put("roomList", true);
        video.put("roomCreate", true);
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = Instant.now().getEpochSecond();
        claims.put("iss", API_KEY);
        claims.put("sub", "egress-tests");
        claims.put("nbf", now - 10);
        claims.put("exp", now + 600);
        claims.put("video", video);
        return EgressToken.sign(claims, API_SECRET);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hooks.stop(0);
    }
}
