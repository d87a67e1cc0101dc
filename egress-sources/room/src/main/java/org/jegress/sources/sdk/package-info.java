/**
 * The SDK source: a LiveKit room's tracks recorded directly, without a browser, through a hidden recorder
 * connection ({@link org.jegress.sources.room}). Track selection and channel routing follow the request type.
 */
package org.jegress.sources.sdk;
