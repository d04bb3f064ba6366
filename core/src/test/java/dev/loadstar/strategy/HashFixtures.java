package dev.loadstar.strategy;

import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.registry.NodeStats;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Builds pickers straight from a strategy and maps keys through them. */
final class HashFixtures {
  private HashFixtures() {}

  static List<NodeStats> stats(List<Node> nodes) {
    List<NodeStats> stats = new ArrayList<>();
    for (Node n : nodes) {
      stats.add(new NodeStats(n, System::nanoTime, 10_000_000_000L));
    }
    return stats;
  }

  /** Nodes "node-0" ... named by id, so placement depends on nothing else. */
  static List<Node> named(int count) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      nodes.add(named(i, 1));
    }
    return nodes;
  }

  static Node named(int i, int weight) {
    return Node.builder().id("node-" + i).host("127.0.0.1").port(20_000 + i).weight(weight).build();
  }

  static Picker picker(Strategy strategy, List<Node> nodes) {
    return strategy.newPicker(stats(nodes), new SplittableRandom(1));
  }

  /** The node id each of keys "key-0" ... "key-(count-1)" maps to. */
  static String[] map(Picker picker, int count) {
    String[] owners = new String[count];
    for (int k = 0; k < count; k++) {
      owners[k] = picker.pick(PickContext.hashKey("key-" + k)).node().id();
    }
    return owners;
  }
}
