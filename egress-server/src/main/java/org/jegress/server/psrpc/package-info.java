/**
 * psrpc over Redis, byte-compatible with LiveKit's Go library so livekit-server can drive this worker
 * (spec: {@code psrpc-wire.md} §1): channel names, envelope, unary/queue/multi RPC servers and clients.
 */
package org.jegress.server.psrpc;
