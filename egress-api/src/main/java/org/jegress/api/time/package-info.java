/** Time for timers that tests must be able to drive: a scheduler interface and a manual one for tests. */
package org.jegress.api.time;
