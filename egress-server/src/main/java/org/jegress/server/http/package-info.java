/**
 * The worker's HTTP endpoints, as upstream serves them: health/status JSON on {@code health_port} and Prometheus
 * metrics (text format 0.0.4, from a Dropwizard registry) on {@code prometheus_port}; any path, port 0 in the config
 * means off. Data comes in through small interfaces the worker implements.
 */
package org.jegress.server.http;
