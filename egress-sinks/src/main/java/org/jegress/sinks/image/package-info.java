/** JPEG thumbnails at a fixed interval, stored as they are written. */
package org.jegress.sinks.image;
