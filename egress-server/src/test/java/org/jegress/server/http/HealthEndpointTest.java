package org.jegress.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

    private static final StartEgressRequest WEB = StartEgressRequest.newBuilder()
            .setEgressId("EG_web")
            .setWeb(WebEgressRequest.newBuilder().setUrl("https://example.com/?a=\"b\"")
                    .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("out/{time}.mp4")))
            .build();
    private static final StartEgressRequest ROOM = StartEgressRequest.newBuilder()
            .setEgressId("EG_room").setRoomId("RM_1")
            .setRoomComposite(RoomCompositeEgressRequest.newBuilder().setRoomName("my room").setAudioOnly(true))
            .setEstimatedCpu(1.5)
            .build();

    private static Struct parse(String json) throws Exception {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }

    @Test
    void answersEveryPathWithAvailableCpuAndTheActiveRequests() throws Exception {
        AtomicReference<Double> cpu = new AtomicReference<>(6.4);
        Map<String, StartEgressRequest> active = new LinkedHashMap<>();
        active.put(WEB.getEgressId(), WEB);
        active.put(ROOM.getEgressId(), ROOM);
        HealthEndpoint.Source source = new HealthEndpoint.Source() {
            @Override
            public double availableCpu() {
                return cpu.get();
            }

            @Override
            public Map<String, StartEgressRequest> activeRequests() {
                return Map.copyOf(active);
            }
        };
        try (HealthEndpoint health = HealthEndpoint.start(0, source)) {
            assertThat(health.port()).isPositive();
            for (String path : new String[] {"/", "/health", "/anything/else?x=1"}) {
                HttpResponse<String> r = HttpGet.get(health.port(), path);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type")).contains("application/json");

                Struct doc = parse(r.body());
                assertThat(doc.getFieldsMap()).containsOnlyKeys("CpuLoad", "EG_web", "EG_room");
                assertThat(doc.getFieldsOrThrow("CpuLoad").getNumberValue()).isEqualTo(6.4);

                Value web = doc.getFieldsOrThrow("EG_web");
                assertThat(web.getStructValue().getFieldsOrThrow("egress_id").getStringValue()).isEqualTo("EG_web");
                assertThat(web.getStructValue().getFieldsOrThrow("web").getStructValue()
                        .getFieldsOrThrow("url").getStringValue()).isEqualTo("https://example.com/?a=\"b\"");

                // each value is the request in proto3 JSON: it parses back to the same message
                for (StartEgressRequest expected : new StartEgressRequest[] {WEB, ROOM}) {
                    String json = JsonFormat.printer().print(doc.getFieldsOrThrow(expected.getEgressId()));
                    StartEgressRequest.Builder back = StartEgressRequest.newBuilder();
                    JsonFormat.parser().merge(json, back);
                    assertThat(back.build()).isEqualTo(expected);
                }
            }
            // keys in Go's order: sorted
            String body = HttpGet.get(health.port(), "/").body();
            assertThat(body).startsWith("{\"CpuLoad\":6.4,\"EG_room\":{");
            assertThat(body.indexOf("\"EG_room\"")).isLessThan(body.indexOf("\"EG_web\""));

            // live values, other methods
            cpu.set(-0.8);
            active.clear();
            HttpResponse<String> post = HttpGet.send("POST", health.port(), "/");
            assertThat(post.statusCode()).isEqualTo(200);
            assertThat(post.body()).isEqualTo("{\"CpuLoad\":-0.8}");
            HttpResponse<String> head = HttpGet.send("HEAD", health.port(), "/");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void portZeroInTheConfigMeansOff() {
        assertThat(HealthEndpoint.startIfEnabled(0, null)).isEmpty();
    }

    @Test
    void numbersAsGoPrintsThem() {
        assertThat(HealthEndpoint.jsonNumber(8.0)).isEqualTo("8");
        assertThat(HealthEndpoint.jsonNumber(-0.0)).isEqualTo("0");
        assertThat(HealthEndpoint.jsonNumber(6.4)).isEqualTo("6.4");
        assertThat(HealthEndpoint.jsonNumber(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(HealthEndpoint.jsonNumber(1e21)).isEqualTo("1000000000000000000000");
        assertThat(HealthEndpoint.jsonNumber(Double.NaN)).isEqualTo("0");
    }

    @Test
    void escapesKeys() {
        String doc = HealthEndpoint.render(1, Map.of("EG_\"odd\"\n", StartEgressRequest.getDefaultInstance()));
        assertThat(doc).isEqualTo("{\"CpuLoad\":1,\"EG_\\\"odd\\\"\\n\":{}}");
    }
}
