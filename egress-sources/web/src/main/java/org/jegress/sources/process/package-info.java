/** Helper processes (Xvfb, PulseAudio, Chromium) that never outlive the JVM that started them. */
package org.jegress.sources.process;
