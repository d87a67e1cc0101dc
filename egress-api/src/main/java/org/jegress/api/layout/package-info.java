/**
 * Room composite layouts as geometry: which video tile goes where on the canvas for {@code grid}, {@code speaker}
 * and {@code single-speaker}, light or dark. The same rules as the built-in Chromium template
 * ({@code templates/composite/src/layout.js}), so both renderers draw a room alike. Pure Java, no I/O.
 */
package org.jegress.api.layout;
