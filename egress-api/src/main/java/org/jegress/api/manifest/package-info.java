/** The {@code <egress_id>.json} manifest written next to an egress's outputs. */
package org.jegress.api.manifest;
