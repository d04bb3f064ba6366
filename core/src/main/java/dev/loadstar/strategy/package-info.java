/**
 * Balancing strategies. A {@link dev.loadstar.strategy.Strategy} turns a service's eligible nodes
 * into an immutable {@link dev.loadstar.strategy.Picker}; the registry builds a new picker on every
 * membership or health change and publishes it atomically, so picks never lock.
 *
 * <p>Built-ins are reached through {@link dev.loadstar.Strategies}.
 */
@NullMarked
package dev.loadstar.strategy;

import org.jspecify.annotations.NullMarked;
