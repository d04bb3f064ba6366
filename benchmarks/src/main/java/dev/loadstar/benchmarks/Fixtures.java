package dev.loadstar.benchmarks;

import dev.loadstar.Node;
import java.util.ArrayList;
import java.util.List;

/** Node lists shared by the benchmarks, so every class measures the same membership. */
final class Fixtures {
  /** The first port; {@code FIRST_PORT + 10_000} still fits below 65535. */
  static final int FIRST_PORT = 10_000;

  private Fixtures() {}

  /**
   * {@code count} nodes on 127.0.0.1 with distinct ports and weights 1, 2, 3, 1, 2, 3, ... Weights
   * that differ (gcd 1) make weighted round robin build a real smooth schedule (cycle length ~2n),
   * random build its alias table and least-requests/peak-ewma compare weighted loads; round robin
   * ignores them.
   */
  static List<Node> localNodes(int count) {
    List<Node> nodes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      nodes.add(Node.builder().host("127.0.0.1").port(FIRST_PORT + i).weight(1 + i % 3).build());
    }
    return nodes;
  }
}
