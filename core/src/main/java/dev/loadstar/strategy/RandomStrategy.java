package dev.loadstar.strategy;

import dev.loadstar.PickContext;
import dev.loadstar.registry.NodeStats;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * {@code random}: a uniformly random node, or weighted by node weight when weights differ.
 *
 * <p>Weighted picks draw from a table in which each node appears weight / gcd times when that
 * table is small (at most {@link #FLAT_LIMIT_PER_NODE} entries per node): one draw and one load,
 * as cheap as a uniform pick. Otherwise they use Vose's alias method: one draw and one
 * comparison at any node count. Immutable; use {@link dev.loadstar.Strategies#random()}.
 */
public final class RandomStrategy implements Strategy {
  static final RandomStrategy INSTANCE = new RandomStrategy();

  /** Weighted tables up to this many entries per node are flattened rather than aliased. */
  static final int FLAT_LIMIT_PER_NODE = 8;

  /** Random redraws before a retry falls back to scanning for an untried node. */
  private static final int REDRAWS = 4;

  private RandomStrategy() {}

  /** The shared instance; prefer {@link dev.loadstar.Strategies#random()}. */
  public static RandomStrategy create() {
    return INSTANCE;
  }

  @Override
  public String name() {
    return "random";
  }

  @Override
  public Picker newPicker(List<NodeStats> nodes, RandomGenerator random) {
    if (nodes.isEmpty()) {
      return EmptyPicker.INSTANCE;
    }
    NodeStats[] members = Candidates.toArray(nodes);
    boolean equal = true;
    for (NodeStats n : members) {
      equal &= n.weight() == members[0].weight();
    }
    if (equal) {
      return new Uniform(members, members, random);
    }
    NodeStats[] flat = flatten(members);
    return flat != null ? new Uniform(flat, members, random) : new Weighted(members, random);
  }

  /** Each node repeated weight / gcd times, or null if that exceeds the flat limit. */
  private static NodeStats @Nullable [] flatten(NodeStats[] members) {
    long[] w = new long[members.length];
    long gcd = 0;
    for (int i = 0; i < members.length; i++) {
      w[i] = Math.max(1L, Math.round(members[i].weight() * 1000));
      gcd = Candidates.gcd(gcd, w[i]);
    }
    long total = 0;
    for (int i = 0; i < members.length; i++) {
      w[i] /= gcd;
      total += w[i];
    }
    if (total > (long) FLAT_LIMIT_PER_NODE * members.length) {
      return null;
    }
    NodeStats[] flat = new NodeStats[(int) total];
    int k = 0;
    for (int i = 0; i < members.length; i++) {
      for (long c = w[i]; c > 0; c--) {
        flat[k++] = members[i];
      }
    }
    return flat;
  }

  @Override
  public String toString() {
    return name();
  }

  private static @Nullable NodeStats retry(
      NodeStats first, NodeStats[] nodes, PickContext ctx, Picker redraw, RandomGenerator random) {
    if (!ctx.hasTried() || !ctx.isTried(first.node())) {
      return first;
    }
    for (int k = 0; k < REDRAWS; k++) {
      NodeStats again = redraw.pick(PickContext.none());
      if (again != null && !ctx.isTried(again.node())) {
        return again;
      }
    }
    return Candidates.firstUntried(nodes, random.nextInt(nodes.length), ctx);
  }

  /** A uniform draw from {@code table}, in which a node may appear several times. */
  private static final class Uniform implements Picker {
    private final NodeStats[] table;
    private final NodeStats[] members;
    private final RandomGenerator random;

    Uniform(NodeStats[] table, NodeStats[] members, RandomGenerator random) {
      this.table = table;
      this.members = members;
      this.random = random;
    }

    @Override
    public @Nullable NodeStats pick(PickContext ctx) {
      NodeStats n = table[random.nextInt(table.length)];
      return ctx.hasTried() ? retry(n, members, ctx, this, random) : n;
    }
  }

  /** Vose's alias table; column i holds node i with probability threshold[i] / 2^32, else alias[i]. */
  private static final class Weighted implements Picker {
    private final NodeStats[] nodes;
    private final long[] threshold;
    private final int[] alias;
    private final RandomGenerator random;

    Weighted(NodeStats[] nodes, RandomGenerator random) {
      this.nodes = nodes;
      this.random = random;
      int n = nodes.length;
      this.threshold = new long[n];
      this.alias = new int[n];
      double total = 0;
      for (NodeStats s : nodes) {
        total += s.weight();
      }
      double[] scaled = new double[n];
      int[] small = new int[n];
      int[] large = new int[n];
      int smalls = 0;
      int larges = 0;
      for (int i = 0; i < n; i++) {
        scaled[i] = nodes[i].weight() * n / total;
        if (scaled[i] < 1.0) {
          small[smalls++] = i;
        } else {
          large[larges++] = i;
        }
      }
      while (smalls > 0 && larges > 0) {
        int s = small[--smalls];
        int l = large[--larges];
        threshold[s] = (long) (scaled[s] * 0x1p32);
        alias[s] = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
          small[smalls++] = l;
        } else {
          large[larges++] = l;
        }
      }
      // Whatever is left is 1 up to rounding: always itself.
      while (larges > 0) {
        int l = large[--larges];
        threshold[l] = 1L << 32;
        alias[l] = l;
      }
      while (smalls > 0) {
        int s = small[--smalls];
        threshold[s] = 1L << 32;
        alias[s] = s;
      }
    }

    @Override
    public @Nullable NodeStats pick(PickContext ctx) {
      long bits = random.nextLong();
      int column = Candidates.index((int) (bits >>> 32), nodes.length);
      NodeStats n = nodes[(bits & 0xFFFFFFFFL) < threshold[column] ? column : alias[column]];
      return ctx.hasTried() ? retry(n, nodes, ctx, this, random) : n;
    }
  }
}
