package org.jegress.api.admission;

/**
 * The CPU figures behind an admission decision (upstream logs them as the "cpu check").
 *
 * @param total     cores on the node
 * @param available cores an egress may still take: {@code total} when nothing is running, else
 *                  {@code total × max_cpu_utilization − pending − used} (may be negative when over-subscribed)
 * @param pending   cores held by egresses still inside their 15 s reservation: the larger of their cost and their
 *                  measured use
 * @param used      measured cores of the egresses whose reservation has expired
 * @param active    egresses admitted and not yet ended
 */
public record CpuUsage(double total, double available, double pending, double used, int active) {
}
