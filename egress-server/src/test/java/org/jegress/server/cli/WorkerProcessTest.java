package org.jegress.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.jegress.api.config.ConfigLoader;
import org.junit.jupiter.api.Test;

class WorkerProcessTest {

    @Test
    void handlersLogAtTheConfiguredLevel() {
        assertThat(WorkerProcess.handlerOptions(ConfigLoader.parse("logging: {level: debug}", Map.of())))
                .contains("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug", "-XX:+UseSerialGC");
        assertThat(WorkerProcess.handlerOptions(ConfigLoader.parse("", Map.of())))
                .contains("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        assertThat(LogLevel.slf4j("fatal")).isEqualTo("error");
        assertThat(LogLevel.slf4j("warn")).isEqualTo("warn");
    }
}
