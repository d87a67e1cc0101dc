package org.jegress.api.config;

/**
 * Audio tempo adjustment that compensates PTS drift ({@code audio_tempo_controller:}).
 *
 * @param enabled        whether tempo adjustment runs
 * @param adjustmentRate how fast the tempo is changed; when enabled it lies in (0, 0.2], defaulting to 0.05
 */
public record AudioTempoController(boolean enabled, double adjustmentRate) {
}
