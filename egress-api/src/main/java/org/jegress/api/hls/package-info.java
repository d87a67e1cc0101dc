/** HLS playlists as text (EVENT and sliding live playlists); writing them to disk is the sink's job. */
package org.jegress.api.hls;
