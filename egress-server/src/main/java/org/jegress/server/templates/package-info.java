/** Serves the bundled pages (the demo page; room-composite templates later) over HTTP on loopback. */
package org.jegress.server.templates;
