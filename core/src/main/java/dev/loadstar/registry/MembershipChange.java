package dev.loadstar.registry;

import dev.loadstar.Node;
import java.util.List;
import static java.util.Objects.requireNonNull;

/**
 * One applied membership update of a service: the nodes now, and what differs from before.
 *
 * @param service the service that changed
 * @param nodes its complete membership after the change
 * @param added nodes whose id is new
 * @param removed nodes whose id is gone
 * @param changed nodes whose id stayed but whose fields (weight, zone, tags, ...) changed, as they
 *     are now
 */
public record MembershipChange(
    String service, List<Node> nodes, List<Node> added, List<Node> removed, List<Node> changed) {

  public MembershipChange {
    requireNonNull(service, "service");
    nodes = List.copyOf(nodes);
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
  }
}
