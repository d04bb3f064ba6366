package dev.loadstar.strategy;

import dev.loadstar.PickContext;
import dev.loadstar.registry.NodeStats;
import org.jspecify.annotations.Nullable;

/**
 * An immutable snapshot that picks one node per request.
 *
 * <p>Thread-safe: called concurrently by every request thread. {@link #pick} must not lock, block
 * or allocate; it reads the nodes' live counters (in-flight, latency) but never a mutable list.
 */
public interface Picker {

  /**
   * A node for this request, skipping nodes {@code ctx} says were tried; null if none is left.
   */
  @Nullable NodeStats pick(PickContext ctx);

  /**
   * Whether {@link #pick} already counts the returned node's request in flight (through
   * {@link NodeStats#tryAcquire}), as pickers that cap per-node load must. Read once per picker.
   */
  default boolean reservesInFlight() {
    return false;
  }
}
