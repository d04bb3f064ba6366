package dev.loadstar.testing;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test nodes on loopback (never contacted by core tests) and pick helpers. */
public final class Nodes {
  private Nodes() {}

  /** Node i is 127.0.0.1:(10000 + i), weight 1. */
  public static Node node(int i) {
    return Node.of("127.0.0.1", 10_000 + i);
  }

  public static Node weighted(int i, int weight) {
    return Node.builder().host("127.0.0.1").port(10_000 + i).weight(weight).build();
  }

  public static List<Node> nodes(int count) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      nodes.add(node(i));
    }
    return nodes;
  }

  /** Picks {@code count} times, closing each lease at once; returns the node ids in pick order. */
  public static List<String> sequence(LoadBalancer lb, String service, int count)
      throws NoAvailableNodeException {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try (Lease lease = lb.pick(service)) {
        ids.add(lease.node().id());
      }
    }
    return ids;
  }

  /** How many of {@code count} picks (closed at once) went to each node id. */
  public static Map<String, Integer> histogram(LoadBalancer lb, String service, int count)
      throws NoAvailableNodeException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String id : sequence(lb, service, count)) {
      counts.merge(id, 1, Integer::sum);
    }
    return counts;
  }
}
