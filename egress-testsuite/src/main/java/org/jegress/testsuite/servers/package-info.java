/** Real receivers started by tests on loopback: nginx-rtmp, srt-live-transmit, a TCP proxy that can stall. */
package org.jegress.testsuite.servers;
