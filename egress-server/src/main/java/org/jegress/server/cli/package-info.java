/** The {@code egress} command: {@code run} one egress in this process, {@code demo} records the bundled page. */
package org.jegress.server.cli;
