/** Errors with a psrpc code and the exact upstream message, so callers and livekit-server see what Go egress says. */
package org.jegress.api.error;
