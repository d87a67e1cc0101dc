/**
 * Resource statistics of the worker node, read from {@code /proc} (and the cgroup files): host CPU load, CPU and
 * memory of each egress's process tree, and the {@link org.jegress.server.stats.ResourceMonitor} that samples them
 * every second into {@link org.jegress.api.admission.Admission}. Linux only.
 */
package org.jegress.server.stats;
