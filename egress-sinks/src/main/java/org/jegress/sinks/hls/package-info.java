/** HLS: MPEG-TS segments stored as they close, EVENT and live playlists. */
package org.jegress.sinks.hls;
