package org.jegress.api.config;

/**
 * Fault injection for integration tests ({@code test_overrides:}); both match by room-name substring.
 *
 * @param failureInjectionRoom    egresses in matching rooms fail on purpose; empty = off
 * @param disconnectInjectionRoom egresses in matching rooms see one simulated, retryable room disconnect once
 *                                active; empty = off
 */
public record TestOverrides(String failureInjectionRoom, String disconnectInjectionRoom) {
}
