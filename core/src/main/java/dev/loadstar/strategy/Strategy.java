package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A way of choosing nodes, as a factory of immutable {@link Picker}s.
 *
 * <p>Implementations must be immutable and thread-safe; one instance may serve many services.
 */
public interface Strategy {

  /** The stable configuration name, such as {@code round-robin}. */
  String name();

  /**
   * Builds a picker over {@code nodes}. Called by the registry on the membership/health path
   * (never per pick), under that service's update lock: may take time proportional to the node
   * count, must not block on I/O.
   *
   * @param nodes the eligible nodes in membership order; the picker may keep the list's elements
   *     but not the list
   * @param random the randomness pickers must use (injectable for tests); thread-safe
   */
  Picker newPicker(List<NodeStats> nodes, RandomGenerator random);

  /**
   * Whether pickers read {@link NodeStats#weight()}, the weight slow start lowers. Strategies that
   * ignore weights, or use only configured weights (hash strategies, where a ramping weight would
   * move keys), return false, and the registry then does not rebuild their pickers while nodes
   * ramp up.
   */
  default boolean usesEffectiveWeights() {
    return true;
  }
}
