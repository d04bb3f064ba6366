package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code round-robin}: each node in turn, ignoring weights. Immutable; use
 * {@link dev.loadstar.Strategies#roundRobin()}.
 */
public final class RoundRobinStrategy implements Strategy {
  static final RoundRobinStrategy INSTANCE = new RoundRobinStrategy();

  private RoundRobinStrategy() {}

  /** The shared instance; prefer {@link dev.loadstar.Strategies#roundRobin()}. */
  public static RoundRobinStrategy create() {
    return INSTANCE;
  }

  @Override
  public boolean usesEffectiveWeights() {
    return false;
  }

  @Override
  public String name() {
    return "round-robin";
  }

  @Override
  public Picker newPicker(List<NodeStats> nodes, RandomGenerator random) {
    if (nodes.isEmpty()) {
      return EmptyPicker.INSTANCE;
    }
    NodeStats[] cycle = Candidates.toArray(nodes);
    return new CyclePicker(cycle, cycle.length, random);
  }

  @Override
  public String toString() {
    return name();
  }
}
