/**
 * The thin launcher: command line, config files, ports and signals. Everything else is library code in the other
 * modules.
 */
package org.jegress.server;
