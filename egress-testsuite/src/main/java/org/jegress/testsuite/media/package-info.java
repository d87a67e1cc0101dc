/** Judging recordings by decoding them: ffprobe streams and durations, tones per channel, flashes and beeps, MP4 boxes. */
package org.jegress.testsuite.media;
