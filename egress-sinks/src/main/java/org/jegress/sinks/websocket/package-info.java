/** WebSocket output: the raw audio mix as PCM frames, with mute notices, pings and a closing handshake. */
package org.jegress.sinks.websocket;
