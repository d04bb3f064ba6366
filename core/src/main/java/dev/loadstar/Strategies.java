package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.strategy.MaglevStrategy;
import dev.loadstar.strategy.PowerOfTwoChoicesStrategy;
import dev.loadstar.strategy.RandomStrategy;
import dev.loadstar.strategy.RingHashStrategy;
import dev.loadstar.strategy.RoundRobinStrategy;
import dev.loadstar.strategy.Strategy;
import dev.loadstar.strategy.WeightedRoundRobinStrategy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The built-in balancing strategies, by factory method or by their stable configuration names:
 * {@code round-robin}, {@code weighted-round-robin}, {@code random}, {@code least-requests},
 * {@code peak-ewma}, {@code ring-hash}, {@code maglev}.
 *
 * <p>Every strategy returned is immutable and may be shared by any number of services.
 */
public final class Strategies {
  private static final Map<String, Supplier<Strategy>> BY_NAME = new LinkedHashMap<>();

  static {
    BY_NAME.put("round-robin", Strategies::roundRobin);
    BY_NAME.put("weighted-round-robin", Strategies::weightedRoundRobin);
    BY_NAME.put("random", Strategies::random);
    BY_NAME.put("least-requests", Strategies::leastRequests);
    BY_NAME.put("peak-ewma", Strategies::peakEwma);
    BY_NAME.put("ring-hash", Strategies::ringHash);
    BY_NAME.put("maglev", Strategies::maglev);
  }

  private Strategies() {}

  /** Each node in turn, ignoring weights. Cheapest pick; blind to load and latency. */
  public static Strategy roundRobin() {
    return RoundRobinStrategy.create();
  }

  /** Smooth weighted round robin: weights 5, 1, 1 give {@code a a b a c a a}. */
  public static Strategy weightedRoundRobin() {
    return WeightedRoundRobinStrategy.create();
  }

  /** A random node, weighted by node weight when weights differ. */
  public static Strategy random() {
    return RandomStrategy.create();
  }

  /**
   * Power of two choices over in-flight requests (per unit of weight): the default, a robust choice
   * when latency feedback is missing or noisy.
   */
  public static Strategy leastRequests() {
    return PowerOfTwoChoicesStrategy.leastRequests();
  }

  /**
   * Power of two choices over peak-EWMA latency × (in-flight + 1): steers away from slow nodes at
   * once and probes them again as their estimate decays. Needs outcomes reported with latency.
   */
  public static Strategy peakEwma() {
    return PowerOfTwoChoicesStrategy.peakEwma();
  }

  /**
   * Consistent hashing on a ring: sticky by {@link PickContext#hashKey(String)}, moving few keys
   * when nodes come and go; {@code ringHash().boundedLoad(1.25)} caps each node's share of the
   * requests in flight. See {@link RingHashStrategy}.
   */
  public static RingHashStrategy ringHash() {
    return RingHashStrategy.create();
  }

  /** Maglev consistent hashing: sticky by key with an O(1) table lookup. See {@link MaglevStrategy}. */
  public static MaglevStrategy maglev() {
    return MaglevStrategy.create();
  }

  /**
   * The built-in strategy with this configuration name.
   *
   * @throws IllegalArgumentException naming the value and the names that exist
   */
  public static Strategy byName(String name) {
    requireNonNull(name, "name");
    Supplier<Strategy> s = BY_NAME.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "strategy: '" + name + "' (expected one of: " + String.join(", ", BY_NAME.keySet()) + ")");
    }
    return s.get();
  }

  /** The configuration names of the built-in strategies. */
  public static Set<String> names() {
    return java.util.Collections.unmodifiableSet(BY_NAME.keySet());
  }
}
