package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;

/**
 * Load = (in-flight + 1) / weight; the +1 makes an idle heavy node preferred over an idle light
 * one. Compared by cross-multiplying: no division on the pick path.
 */
enum InFlightLoad implements Load {
  INSTANCE;

  @Override
  public boolean isLighter(NodeStats a, double weightA, NodeStats b, double weightB) {
    return (a.inFlight() + 1.0) * weightB < (b.inFlight() + 1.0) * weightA;
  }
}
