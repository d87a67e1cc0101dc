/**
 * Turns a start request (v1 or unified v2) into a validated {@link org.jegress.api.plan.EgressPlan}:
 * source, codecs, resolution, output paths and the initial EgressInfo, with the upstream error messages.
 */
package org.jegress.api.plan;
