package org.jegress.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HandlerProcessTest {

    private static Map<String, String> gstDebugFor(String level, Map<String, String> env) {
        HandlerProcess.Launcher l = new HandlerProcess.Launcher("java",
                List.of("-Xss512k", "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + level), "cp", (Path) null);
        Map<String, String> e = new HashMap<>(env);
        l.gstDebug(e);
        return e;
    }

    @Test
    void gstDebugFollowsTheLogLevelAsUpstreamSetsIt() {
        assertThat(gstDebugFor("debug", Map.of())).containsEntry("GST_DEBUG", "3,rtmpclient:4,srtlib:1");
        assertThat(gstDebugFor("info", Map.of())).containsEntry("GST_DEBUG", "2,rtmpclient:4,srtlib:1")
                .containsEntry("GST_DEBUG_NO_COLOR", "1");
        assertThat(gstDebugFor("warn", Map.of())).containsEntry("GST_DEBUG", "2,rtmpclient:4,srtlib:1");
        assertThat(gstDebugFor("error", Map.of())).containsEntry("GST_DEBUG", "1,rtmpclient:4,srtlib:1");
        // an operator's own GST_DEBUG wins
        assertThat(gstDebugFor("debug", Map.of("GST_DEBUG", "webrtcbin:6"))).containsEntry("GST_DEBUG", "webrtcbin:6")
                .doesNotContainKey("GST_DEBUG_NO_COLOR");
    }

    @Test
    void exitsReadLikeGoExecErrors() {
        assertThat(HandlerProcess.describeExit(137)).isEqualTo("signal: killed");
        assertThat(HandlerProcess.describeExit(134)).isEqualTo("signal: aborted");
        assertThat(HandlerProcess.describeExit(139)).isEqualTo("signal: segmentation fault");
        assertThat(HandlerProcess.describeExit(1)).isEqualTo("exit status 1");
    }
}
