package dev.loadstar.registry;

import java.util.List;

/**
 * One service as a balancer sees it at one moment. Serialisable to JSON with Jackson.
 *
 * @param service the service name
 * @param strategy the strategy's configuration name
 * @param panic whether too few nodes are eligible, so picks go to all nodes
 * @param eligibleNodes how many nodes are eligible
 * @param nodes every node, in membership order
 */
public record ServiceSnapshot(
    String service, String strategy, boolean panic, int eligibleNodes, List<NodeSnapshot> nodes) {

  public ServiceSnapshot {
    nodes = List.copyOf(nodes);
  }
}
