package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;

/**
 * Load = (in-flight + 1) / weight; the +1 makes an idle heavy node preferred over an idle light
 * one. Compared by cross-multiplying in longs: exact, no division.
 */
enum InFlightLoad implements Load {
  INSTANCE;

  @Override
  public boolean isLighter(NodeStats a, int weightA, NodeStats b, int weightB) {
    return (a.inFlight() + 1L) * weightB < (b.inFlight() + 1L) * weightA;
  }
}
