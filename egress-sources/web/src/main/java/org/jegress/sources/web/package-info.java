/**
 * The web source: per egress a private Xvfb display, a private PulseAudio server with a null sink and a Chromium
 * driven over the DevTools protocol; GStreamer captures them with ximagesrc and pulsesrc.
 */
package org.jegress.sources.web;
