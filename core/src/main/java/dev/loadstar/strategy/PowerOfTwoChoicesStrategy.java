package dev.loadstar.strategy;

import static java.util.Objects.requireNonNull;

import dev.loadstar.PickContext;
import dev.loadstar.registry.NodeStats;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Power of two choices (Mitzenmacher): draw two distinct nodes at random, send to the less loaded.
 * Nearly as good as asking every node for its load, at the cost of two. With the in-flight metric
 * this is {@code least-requests}; with peak EWMA it is {@code peak-ewma}. Immutable; use
 * {@link dev.loadstar.Strategies#leastRequests()} or {@link dev.loadstar.Strategies#peakEwma()}.
 */
public final class PowerOfTwoChoicesStrategy implements Strategy {
  static final PowerOfTwoChoicesStrategy LEAST_REQUESTS =
      new PowerOfTwoChoicesStrategy("least-requests", InFlightLoad.INSTANCE);
  static final PowerOfTwoChoicesStrategy PEAK_EWMA =
      new PowerOfTwoChoicesStrategy("peak-ewma", PeakEwmaLoad.INSTANCE);

  private final String name;
  private final Load load;

  private PowerOfTwoChoicesStrategy(String name, Load load) {
    this.name = name;
    this.load = load;
  }

  /** P2C over in-flight requests per weight; prefer {@link dev.loadstar.Strategies#leastRequests()}. */
  public static PowerOfTwoChoicesStrategy leastRequests() {
    return LEAST_REQUESTS;
  }

  /** P2C over peak-EWMA latency × load; prefer {@link dev.loadstar.Strategies#peakEwma()}. */
  public static PowerOfTwoChoicesStrategy peakEwma() {
    return PEAK_EWMA;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Picker newPicker(List<NodeStats> nodes, RandomGenerator random) {
    if (nodes.isEmpty()) {
      return EmptyPicker.INSTANCE;
    }
    return new P2cPicker(Candidates.toArray(nodes), load, random);
  }

  @Override
  public String toString() {
    return name;
  }

  private static final class P2cPicker implements Picker {
    private final NodeStats[] nodes;
    private final double[] weights;
    private final Load load;
    private final RandomGenerator random;

    P2cPicker(NodeStats[] nodes, Load load, RandomGenerator random) {
      this.nodes = nodes;
      this.load = requireNonNull(load);
      this.random = random;
      this.weights = new double[nodes.length];
      for (int i = 0; i < nodes.length; i++) {
        weights[i] = nodes[i].weight();
      }
    }

    @Override
    public @Nullable NodeStats pick(PickContext ctx) {
      int n = nodes.length;
      if (n == 1) {
        NodeStats only = nodes[0];
        return ctx.isTried(only.node()) ? null : only;
      }
      // One 64-bit draw gives both indices; the second is drawn from n - 1 and shifted past the
      // first, so the two are distinct without a retry loop.
      long bits = random.nextLong();
      int i = Candidates.index((int) (bits >>> 32), n);
      int j = Candidates.index((int) bits, n - 1);
      if (j >= i) {
        j++;
      }
      NodeStats a = nodes[i];
      NodeStats b = nodes[j];
      if (ctx.hasTried()) {
        boolean aTried = ctx.isTried(a.node());
        boolean bTried = ctx.isTried(b.node());
        if (aTried && bTried) {
          return lightestUntried(ctx, i);
        } else if (aTried) {
          return b;
        } else if (bTried) {
          return a;
        }
      }
      return load.isLighter(b, weights[j], a, weights[i]) ? b : a;
    }

    private @Nullable NodeStats lightestUntried(PickContext ctx, int start) {
      int best = -1;
      int n = nodes.length;
      for (int k = 0, i = start; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
        if (!ctx.isTried(nodes[i].node())
            && (best < 0 || load.isLighter(nodes[i], weights[i], nodes[best], weights[best]))) {
          best = i;
        }
      }
      return best < 0 ? null : nodes[best];
    }
  }
}
