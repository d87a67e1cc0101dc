/** The EgressInfo lifecycle: status transitions, end reasons and error fields exactly as upstream sets them. */
package org.jegress.api.status;
