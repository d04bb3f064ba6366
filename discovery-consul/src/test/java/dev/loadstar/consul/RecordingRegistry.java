package dev.loadstar.consul;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.NodeRegistry;
import dev.loadstar.registry.MembershipChange;
import dev.loadstar.registry.MembershipListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real registry (from {@code LoadBalancer.builder().build()}) that records every
 * {@code update} a watch makes and every membership change the registry then reports, with the
 * time each happened. The registry drops identical updates, so the two differ exactly when a watch
 * republishes an unchanged list.
 */
final class RecordingRegistry implements NodeRegistry, AutoCloseable {
  private final LoadBalancer lb = LoadBalancer.builder().build();
  private final NodeRegistry delegate = lb.registry();
  private final List<List<Node>> updates = new CopyOnWriteArrayList<>();
  private final List<Change> changes = new CopyOnWriteArrayList<>();

  record Change(long nanoTime, MembershipChange change) {}

  RecordingRegistry() {
    MembershipListener listener = c -> changes.add(new Change(System.nanoTime(), c));
    delegate.addListener(listener);
  }

  @Override
  public void update(String service, List<Node> nodes) {
    updates.add(List.copyOf(nodes));
    delegate.update(service, nodes);
  }

  @Override
  public List<Node> nodes(String service) {
    return delegate.nodes(service);
  }

  @Override
  public Set<String> services() {
    return delegate.services();
  }

  @Override
  public AutoCloseable addListener(MembershipListener listener) {
    return delegate.addListener(listener);
  }

  /** How many times a watch called {@link #update}. */
  int updateCalls() {
    return updates.size();
  }

  /** How many membership changes the registry reported to listeners. */
  int changeCount() {
    return changes.size();
  }

  List<Change> changes() {
    return new ArrayList<>(changes);
  }

  /** The hosts of {@code service}'s current nodes, sorted by node id. */
  List<String> hosts(String service) {
    return nodes(service).stream().sorted(java.util.Comparator.comparing(Node::id))
        .map(Node::host).toList();
  }

  @Override
  public void close() {
    lb.close();
  }
}
