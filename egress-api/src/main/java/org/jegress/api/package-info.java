/**
 * Egress requests as users send them, turned into validated, fully resolved plans: pure logic, no I/O.
 *
 * <p>Sub-packages: {@code livekit} and {@code rpc} hold the generated protocol messages, {@code plan}
 * resolves a request into an {@link org.jegress.api.plan.EgressPlan}, {@code config} models the worker
 * configuration, {@code status} owns the EgressInfo state machine, {@code storage} declares the uploader
 * SPI, {@code manifest} the per-egress JSON manifest, {@code error} the error taxonomy shared with psrpc.
 */
package org.jegress.api;
