/**
 * The harness of the recording contract: test sources that need no browser and no room, and helpers for the
 * contract's tests. Not API: used by this project's tests only.
 */
package org.jegress.testsuite;
