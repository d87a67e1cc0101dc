/** RTMP(S) and SRT stream outputs: one mux, one branch per destination, reconnects and liveness for RTMP. */
package org.jegress.sinks.stream;
