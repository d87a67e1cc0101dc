/** Pure rules for live stream destinations: when to reconnect, when a stream is wedged, how often to report. */
package org.jegress.api.stream;
