package dev.loadstar.registry;

import dev.loadstar.Node;

/**
 * Hears when nodes are ejected and when they return, and when a service enters or leaves panic.
 *
 * <p>Called on the thread whose outcome caused the change (or the health thread), outside any
 * registry lock, in the order the changes were applied. Must be quick and must not block.
 */
public interface HealthListener {

  /** {@code node}'s breaker opened: it no longer receives traffic (unless the service panics). */
  default void onEjected(String service, Node node) {}

  /** {@code node}'s trial calls succeeded: it is back in rotation. */
  default void onReturned(String service, Node node) {}

  /** {@code service} has too few eligible nodes and picks among all of them, or no longer does. */
  default void onPanic(String service, boolean panic) {}
}
