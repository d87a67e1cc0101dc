package org.jegress.sources.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.livekit.EncodedFileOutput;
import org.jegress.api.livekit.RoomCompositeEgressRequest;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.EgressPlan;
import org.jegress.api.plan.EgressPlanner;
import org.jegress.api.rpc.StartEgressRequest;
import org.junit.jupiter.api.Test;

/** The page Chromium opens: a web egress's URL as given, a template with upstream's query parameters. */
class PageUrlTest {

    private static final String CONFIG = "api_key: key\napi_secret: secret-secret-secret-secret\n"
            + "ws_url: wss://lk.example.com\ntemplate_port: 7981\n";

    private static EgressPlan plan(String yaml, StartEgressRequest.Builder request) {
        EgressPlanner planner = new EgressPlanner(ConfigLoader.parse(yaml, Map.of()),
                Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC), ZoneOffset.UTC);
        return planner.plan(request.setEgressId("EG_test").build());
    }

    private static StartEgressRequest.Builder composite(String layout, String base) {
        return StartEgressRequest.newBuilder().setRoomComposite(RoomCompositeEgressRequest.newBuilder()
                .setRoomName("my room").setLayout(layout).setCustomBaseUrl(base)
                .addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("x.mp4")));
    }

    private static Map<String, String> query(String url) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : URI.create(url).getRawQuery().split("&")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void theDefaultTemplateIsOnTemplatePortWithLayoutUrlAndTheRecorderToken() {
        EgressPlan p = plan(CONFIG, composite("speaker-light", ""));
        String url = WebSource.pageUrl(p);
        assertThat(url).startsWith("http://localhost:7981/?");
        assertThat(query(url)).containsEntry("layout", "speaker-light").containsEntry("url", "wss://lk.example.com")
                .containsEntry("token", p.room().token());
    }

    @Test
    void aCustomBaseKeepsItsQueryAndFragment() {
        String url = WebSource.pageUrl(plan(CONFIG, composite("", "https://tpl.example.com/app?theme=x#top")));
        assertThat(url).startsWith("https://tpl.example.com/app?theme=x&layout=&url=wss%3A%2F%2Flk.example.com&token=")
                .endsWith("#top");
    }

    @Test
    void aWebEgressOpensItsUrlAsGiven() {
        String page = "https://example.com/a?b=c";
        assertThat(WebSource.pageUrl(plan(CONFIG, StartEgressRequest.newBuilder().setWeb(WebEgressRequest
                .newBuilder().setUrl(page).addFileOutputs(EncodedFileOutput.newBuilder().setFilepath("x.mp4"))))))
                .isEqualTo(page);
    }
}
