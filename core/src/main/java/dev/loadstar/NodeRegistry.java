package dev.loadstar;

import dev.loadstar.registry.MembershipListener;
import java.util.List;
import java.util.Set;

/**
 * The current membership of every service a {@link LoadBalancer} knows. Discovery sources (a static
 * list, a JSON file, a Consul watch) push complete node lists here; pickers are rebuilt from it.
 *
 * <p>Thread-safe. Updates to one service are applied one at a time and published atomically; picks
 * never wait for them.
 */
public interface NodeRegistry {

  /**
   * Replaces the membership of {@code service} with {@code nodes}, the complete current list.
   *
   * <p>Nodes are matched by {@link Node#id()}: a node that stays keeps its live state (in-flight
   * count, latency estimate); new nodes start fresh; removed nodes stop receiving new requests, and
   * requests already on them finish normally. An update that changes nothing (same nodes, in any
   * order) is a no-op: no new picker, no listener call. An empty list is a real update: the
   * service then has no nodes.
   *
   * @throws IllegalArgumentException if the service name is blank or two nodes share an id; the
   *     previous membership stays in force
   */
  void update(String service, List<Node> nodes);

  /** The current nodes of {@code service}, immutable; empty if the service is unknown. */
  List<Node> nodes(String service);

  /** The names of every service that has been configured or updated. */
  Set<String> services();

  /**
   * Calls {@code listener} after every membership change, in the order the changes were applied.
   * Listeners run on the updating thread, after the update is published and outside any lock; an
   * exception thrown by a listener is logged and does not affect the update or other listeners.
   *
   * @return closing it removes the listener
   */
  AutoCloseable addListener(MembershipListener listener);
}
