/**
 * Admission control for the egress worker: what each request costs, whether the node can take it, and which
 * egress to stop when the node is overloaded. Pure logic, no I/O; time comes from an injected {@link java.time.Clock}
 * and measured usage is pushed in by the caller.
 */
package org.jegress.api.admission;
