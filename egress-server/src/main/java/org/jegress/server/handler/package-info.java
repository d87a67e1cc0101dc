/**
 * One egress per child process: {@link org.jegress.server.handler.HandlerMain} runs it, the worker talks to it
 * through {@link org.jegress.server.handler.HandlerProcess} over length-delimited protobuf on stdin/stdout.
 */
package org.jegress.server.handler;
