/** Examples of the embedding API. */
package org.jegress.examples;
