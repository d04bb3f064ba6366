package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;

/**
 * A load metric that power-of-two-choices compares (Finagle's split of load metric and selection
 * rule). Compares two nodes rather than scoring one, so that a metric can normalise both to a
 * common moment without reading the clock.
 */
interface Load {

  /**
   * Whether {@code a} is less loaded than {@code b}, given their weights (a node of weight 2 should
   * carry twice the load of a node of weight 1 before it counts as equally loaded).
   */
  boolean isLighter(NodeStats a, double weightA, NodeStats b, double weightB);
}
