package dev.loadstar.registry;

import dev.loadstar.Lease;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.strategy.Picker;
import dev.loadstar.strategy.Strategy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * One service's membership and its published picker.
 *
 * <p>Writers (membership updates) hold {@code lock}; readers (picks) read {@link #published} once
 * and never lock. Each node's {@link NodeStats} is created when its id first appears and kept while
 * the id stays. A removed node still serving requests is parked in {@code draining}, so that a node
 * that flaps out and back in (a missed health check) comes back with its counters intact.
 */
final class ServiceState {
  private final String name;
  private final Strategy strategy;
  private final RandomGenerator random;
  private final LongSupplier nanoTime;
  private final long decayNanos;
  private final Object lock = new Object();

  /** Guarded by {@code lock}. Keyed by node id, in membership order. */
  private Map<String, NodeStats> members = new LinkedHashMap<>();
  /** Guarded by {@code lock}. Removed nodes with requests still in flight. */
  private final Map<String, NodeStats> draining = new HashMap<>();

  private volatile Published published;

  /** What picks read: the picker and the membership it was built from. */
  private record Published(Picker picker, List<Node> nodes) {}

  ServiceState(
      String name, Strategy strategy, RandomGenerator random, LongSupplier nanoTime, long decayNanos) {
    this.name = name;
    this.strategy = strategy;
    this.random = random;
    this.nanoTime = nanoTime;
    this.decayNanos = decayNanos;
    this.published = new Published(strategy.newPicker(List.of(), random), List.of());
  }

  String name() {
    return name;
  }

  Strategy strategy() {
    return strategy;
  }

  List<Node> nodes() {
    return published.nodes();
  }

  /** Live stats of the current members, in membership order. */
  List<NodeStats> stats() {
    synchronized (lock) {
      return List.copyOf(members.values());
    }
  }

  Lease pick(PickContext ctx) throws NoAvailableNodeException {
    Published p = published;
    NodeStats node = p.picker().pick(ctx);
    if (node == null) {
      throw noAvailableNode(p, ctx);
    }
    return new NodeLease(node);
  }

  /**
   * Applies a complete membership list.
   *
   * @return what changed, or null if nothing did
   * @throws IllegalArgumentException on a null element or a duplicate id; nothing is changed
   */
  @Nullable MembershipChange update(List<Node> nodes) {
    synchronized (lock) {
      Map<String, NodeStats> next = new LinkedHashMap<>(Math.max(16, nodes.size() * 4 / 3 + 1));
      List<Node> added = new ArrayList<>();
      List<Node> changed = new ArrayList<>();
      List<Node> changedBefore = new ArrayList<>();
      int kept = 0;
      for (int i = 0; i < nodes.size(); i++) {
        Node node = nodes.get(i);
        if (node == null) {
          throw new IllegalArgumentException(
              "nodes[" + i + "]: null in update of service '" + name + "'");
        }
        NodeStats stats = members.get(node.id());
        if (stats != null) {
          kept++;
          if (!stats.node().equals(node)) {
            changed.add(node);
            changedBefore.add(stats.node());
          }
        } else {
          added.add(node);
        }
        if (next.putIfAbsent(node.id(), stats != null ? stats : PLACEHOLDER) != null) {
          throw new IllegalArgumentException("duplicate node id '" + node.id()
              + "' in update of service '" + name + "' (ids must be unique within a service)");
        }
      }
      if (added.isEmpty() && changed.isEmpty() && kept == members.size()) {
        return null;
      }
      List<Node> removed = new ArrayList<>();
      if (kept < members.size()) {
        for (NodeStats s : members.values()) {
          if (!next.containsKey(s.node().id())) {
            removed.add(s.node());
          }
        }
      }
      // Validation is over; from here on nothing throws and the state changes.
      pruneDrained();
      for (Node node : added) {
        next.put(node.id(), revive(node));
      }
      for (int i = 0; i < changed.size(); i++) {
        next.get(changed.get(i).id()).node(changed.get(i));
      }
      for (Node gone : removed) {
        NodeStats s = members.get(gone.id());
        if (s.inFlight() > 0) {
          draining.put(gone.id(), s);
        }
      }
      members = next;
      List<Node> current = Collections.unmodifiableList(new ArrayList<>(nodes));
      publish(current);
      return new MembershipChange(name, current, added, removed, changed);
    }
  }

  /** Rebuilds the picker from the current members (guarded by {@code lock}). */
  private void publish(List<Node> current) {
    Picker picker = strategy.newPicker(new ArrayList<>(members.values()), random);
    published = new Published(picker, current);
  }

  private NodeStats revive(Node node) {
    NodeStats parked = draining.remove(node.id());
    if (parked != null) {
      parked.node(node);
      return parked;
    }
    return new NodeStats(node, nanoTime, decayNanos);
  }

  private void pruneDrained() {
    for (Iterator<NodeStats> it = draining.values().iterator(); it.hasNext(); ) {
      if (it.next().inFlight() == 0) {
        it.remove();
      }
    }
  }

  private NoAvailableNodeException noAvailableNode(Published p, PickContext ctx) {
    StringBuilder m = new StringBuilder("no available node for service '").append(name)
        .append("' (nodes: ").append(p.nodes().size());
    if (ctx.hasTried()) {
      m.append(", tried: ").append(ctx.triedIds());
    }
    m.append(')');
    return new NoAvailableNodeException(name, m.toString());
  }

  /** Stands in for a new node's stats during validation, so a failed update creates nothing. */
  private static final NodeStats PLACEHOLDER =
      new NodeStats(Node.of("placeholder.invalid", 1), () -> 0L, 1L);
}
