/** Generated psrpc wire messages (proto package {@code internal}, {@code internal.proto}); see psrpc-wire.md §1.3. */
package org.jegress.server.psrpc.wire;
