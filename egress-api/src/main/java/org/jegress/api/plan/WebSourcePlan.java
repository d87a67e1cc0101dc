package org.jegress.api.plan;

/**
 * What a browser-based source opens.
 *
 * @param url the page to record (web egress), or the template base URL (room composite / template)
 * @param layout template layout, empty for web egress
 * @param awaitStartSignal whether recording waits for the page to log {@code START_RECORDING}
 */
public record WebSourcePlan(String url, String layout, boolean awaitStartSignal) {
}
