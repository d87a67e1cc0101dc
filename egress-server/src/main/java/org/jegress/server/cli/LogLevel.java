package org.jegress.server.cli;

import java.util.Locale;

import org.jegress.api.config.EgressConfig;

/** The config's {@code logging.level} as slf4j-simple's level, for the worker and its handler JVMs. No logger here. */
final class LogLevel {

    static final String PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    private LogLevel() {
    }

    /**
     * The worker's own log level from the config's {@code logging.level}, unless the JVM was started with
     * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel}. Must run before the first logger is created: slf4j-simple
     * reads the level once, then. The worker's classes create their loggers when they load, so this class has none
     * and {@code Main} loads none of them before calling it.
     */
    static void apply(EgressConfig config) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, slf4j(config.logging().level()));
        }
    }

    /** Upstream's zap levels on slf4j-simple's (dpanic, panic and fatal log only errors). */
    static String slf4j(String level) {
        switch (level == null ? "" : level.toLowerCase(Locale.ROOT)) {
            case "debug":
                return "debug";
            case "warn":
                return "warn";
            case "error":
            case "dpanic":
            case "panic":
            case "fatal":
                return "error";
            default:
                return "info";
        }
    }
}
