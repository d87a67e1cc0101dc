/** Access tokens the egress mints for itself to join rooms as a hidden recorder (HS256 JWT). */
package org.jegress.api.auth;
