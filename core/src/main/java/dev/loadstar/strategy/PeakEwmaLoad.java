package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;

/**
 * Load = peak-EWMA latency × (in-flight + 1) / weight (Finagle's and Linkerd's peak EWMA).
 *
 * <p>Each estimate decays toward zero from the moment it was stamped; "now" multiplies both loads
 * by the same factor, so comparing them only needs the older estimate decayed to the newer one's
 * stamp. That keeps {@code System.nanoTime()} (20–40 ns here) off the pick path. The factor is
 * {@link NodeStats#decayFactor}.
 *
 * <p>The decay only applies to a node with nothing in flight. It exists so that a node avoided
 * for being slow gets probed again, and one probe at a time is enough: without this rule, the
 * moment a slow node's decayed estimate dips below the others', every pick that draws it sends to
 * it until its first answer comes back, a burst of several requests per probe under concurrency
 * (measured in {@code SlowNodeExperiment}). A node with a request in flight is judged by its
 * last measurement until that request answers.
 *
 * <p>A node never measured has cost 0: it is tried as soon as it is idle, and while it has
 * requests in flight it counts as heavily loaded (Finagle's penalty), so a new node is probed with
 * one request at a time rather than flooded.
 */
enum PeakEwmaLoad implements Load {
  INSTANCE;

  /** Cost of an unmeasured node with requests in flight; far above any real latency in ns. */
  static final double PENALTY = 1e15;

  @Override
  public boolean isLighter(NodeStats a, double weightA, NodeStats b, double weightB) {
    long stampA = a.ewmaStampNanos();
    long stampB = b.ewmaStampNanos();
    double costA = a.ewmaCostNanos();
    double costB = b.ewmaCostNanos();
    double decay = a.ewmaDecayNanos();
    int inFlightA = a.inFlight();
    int inFlightB = b.inFlight();
    if (stampA < stampB && inFlightA == 0) {
      costA *= NodeStats.decayFactor(stampB - stampA, decay);
    } else if (stampB < stampA && inFlightB == 0) {
      costB *= NodeStats.decayFactor(stampA - stampB, decay);
    }
    return load(costA, a.ewmaCostNanos(), inFlightA) * weightB
        < load(costB, b.ewmaCostNanos(), inFlightB) * weightA;
  }

  private static double load(double decayedCost, double storedCost, int inFlight) {
    if (storedCost == 0.0) {
      return inFlight == 0 ? 0.0 : PENALTY + inFlight;
    }
    return decayedCost * (inFlight + 1);
  }
}
