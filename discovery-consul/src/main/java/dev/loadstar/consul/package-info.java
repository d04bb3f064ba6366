/** Consul discovery: blocking-query watches that keep a service's nodes in sync with Consul. */
@NullMarked
package dev.loadstar.consul;

import org.jspecify.annotations.NullMarked;
