/**
 * The Redis-attached worker: serves EgressInternal and EgressHandler over psrpc, runs every egress in its own
 * handler process and reports EgressInfo to livekit-server through IOInfo.
 */
package org.jegress.server.worker;
