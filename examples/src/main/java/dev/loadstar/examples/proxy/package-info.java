/**
 * A small HTTP reverse proxy built on the SDK: a JDK {@code HttpServer} in front, an OkHttp client
 * with the load-balancing interceptor behind, the node list from a JSON services file.
 */
@NullMarked
package dev.loadstar.examples.proxy;

import org.jspecify.annotations.NullMarked;
