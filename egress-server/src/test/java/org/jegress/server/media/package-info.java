/** Test tools that judge recordings by decoding them (ffprobe, ffmpeg). */
package org.jegress.server.media;
