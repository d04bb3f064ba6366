package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code weighted-round-robin}: smooth weighted round robin (nginx's algorithm), so weights 5, 1, 1
 * give {@code a a b a c a a}, never five {@code a} in a row. The whole cycle is computed when the
 * picker is built and walked with per-thread cursors, so a pick is O(1) at any node count. Equal
 * weights give plain round robin. Immutable; use
 * {@link dev.loadstar.Strategies#weightedRoundRobin()}.
 */
public final class WeightedRoundRobinStrategy implements Strategy {
  static final WeightedRoundRobinStrategy INSTANCE = new WeightedRoundRobinStrategy();

  private WeightedRoundRobinStrategy() {}

  /** The shared instance; prefer {@link dev.loadstar.Strategies#weightedRoundRobin()}. */
  public static WeightedRoundRobinStrategy create() {
    return INSTANCE;
  }

  @Override
  public String name() {
    return "weighted-round-robin";
  }

  @Override
  public Picker newPicker(List<NodeStats> nodes, RandomGenerator random) {
    if (nodes.isEmpty()) {
      return EmptyPicker.INSTANCE;
    }
    NodeStats[] members = Candidates.toArray(nodes);
    return new CyclePicker(SmoothSchedule.of(members), members.length, random);
  }

  @Override
  public String toString() {
    return name();
  }
}
