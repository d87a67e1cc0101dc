/**
 * The egress worker configuration: {@link org.jegress.api.config.ConfigLoader} turns YAML text (plus the
 * environment) into an immutable {@link org.jegress.api.config.EgressConfig} with the Go egress's keys and defaults,
 * reporting mistyped, unknown and legacy keys as warnings instead of failing; no I/O.
 */
package org.jegress.api.config;
