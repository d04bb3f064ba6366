package dev.loadstar.strategy;

import dev.loadstar.PickContext;
import dev.loadstar.registry.NodeStats;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * {@code ring-hash}: consistent hashing on a ring of virtual nodes (Karger et al.), optionally with
 * bounded loads (Mirrokni, Thorup, Zadimoghaddam, 2016). The same key reaches the same node from
 * every client, and a membership change moves only the keys of the nodes that came or went.
 *
 * <p><b>Ring.</b> A node of average weight gets {@link #pointsPerNode()} points (others in
 * proportion to weight); point r of a node is xxHash64(node id, seed r). Because a node's points
 * depend only on its own id and weight, adding a node to equal-weight nodes moves keys only to the
 * new node. The points of the whole ring are capped at {@link #maxRingSize()}; past it every node's
 * share is scaled down. Defaults: 16,384 points per node, at most 524,288 points (4 MiB): a node's
 * share of a 100-node ring then deviates by about 1/sqrt(5,243) = 1.4% (max/mean about 1.04),
 * where gRPC's default 1,024-point ring gives 10 points per node and max/mean 1.76.
 *
 * <p><b>Lookup.</b> The points are packed into one sorted {@code long[]} (the top bits the point's
 * hash, the low bits the node's index), and a table of 2<sup>b</sup> bucket starts indexed by the
 * key hash's top bits narrows the binary search to a handful of points: O(1) expected, no
 * allocation.
 *
 * <p><b>Bounded loads.</b> With {@link #boundedLoad(double) boundedLoad(c)}, a node takes at most
 * ⌈c × (in flight + 1) × weight / total weight⌉ requests; a key whose node is full walks the ring
 * to the next node with room. The check and the count are one CAS on the node's in-flight
 * counter, so the cap holds under concurrent picks.
 *
 * <p>Hash strategies use each node's configured weight, not its slow-start weight: a ramping
 * weight would move keys between the other nodes as it grows (Envoy likewise supports slow start
 * only for round robin and least request).
 *
 * <p>Without a key ({@link PickContext#hasHashKey()} false) the pick starts from a random point:
 * a random node, weighted. Nodes already tried are skipped by walking on.
 *
 * <p>Immutable; the {@code with}-style methods return new strategies.
 */
public final class RingHashStrategy implements Strategy {
  public static final int DEFAULT_POINTS_PER_NODE = 16_384;
  public static final int DEFAULT_MAX_RING_SIZE = 1 << 19;
  /** The ring's points may not exceed this (Envoy's maximum ring size, 8M points). */
  public static final int MAX_RING_SIZE_LIMIT = 1 << 23;

  private static final RingHashStrategy DEFAULT =
      new RingHashStrategy(DEFAULT_POINTS_PER_NODE, DEFAULT_MAX_RING_SIZE, 0.0);

  private final int pointsPerNode;
  private final int maxRingSize;
  /** 0 when loads are not bounded. */
  private final double loadFactor;

  private RingHashStrategy(int pointsPerNode, int maxRingSize, double loadFactor) {
    this.pointsPerNode = pointsPerNode;
    this.maxRingSize = maxRingSize;
    this.loadFactor = loadFactor;
  }

  /** The default ring; prefer {@link dev.loadstar.Strategies#ringHash()}. */
  public static RingHashStrategy create() {
    return DEFAULT;
  }

  /** Points of a node of average weight; more points, more even shares, larger ring. */
  public RingHashStrategy pointsPerNode(int points) {
    if (points < 1 || points > MAX_RING_SIZE_LIMIT) {
      throw new IllegalArgumentException(
          "pointsPerNode: " + points + " (expected: 1-" + MAX_RING_SIZE_LIMIT + ")");
    }
    return new RingHashStrategy(points, maxRingSize, loadFactor);
  }

  /** The most points the ring may hold, whatever the node count. */
  public RingHashStrategy maxRingSize(int points) {
    if (points < 1_024 || points > MAX_RING_SIZE_LIMIT) {
      throw new IllegalArgumentException(
          "maxRingSize: " + points + " (expected: 1024-" + MAX_RING_SIZE_LIMIT + ")");
    }
    return new RingHashStrategy(pointsPerNode, points, loadFactor);
  }

  /**
   * Caps each node at ⌈c × average⌉ of the requests in flight; keys of a full node go to the next
   * node on the ring with room. 1.25 is the paper's suggestion: at most 25% above average, while
   * most keys still stay on their own node.
   */
  public RingHashStrategy boundedLoad(double c) {
    if (!(c > 1.0) || Double.isInfinite(c)) {
      throw new IllegalArgumentException("boundedLoad: " + c + " (expected: > 1.0)");
    }
    return new RingHashStrategy(pointsPerNode, maxRingSize, c);
  }

  public int pointsPerNode() {
    return pointsPerNode;
  }

  public int maxRingSize() {
    return maxRingSize;
  }

  /** The bounded-load factor c, or 0 if loads are not bounded. */
  public double loadFactor() {
    return loadFactor;
  }

  @Override
  public boolean usesEffectiveWeights() {
    return false;
  }

  @Override
  public String name() {
    return "ring-hash";
  }

  @Override
  public Picker newPicker(List<NodeStats> nodes, RandomGenerator random) {
    if (nodes.isEmpty()) {
      return EmptyPicker.INSTANCE;
    }
    NodeStats[] members = Candidates.toArray(nodes);
    return new RingPicker(members, buildRing(members), loadFactor, random);
  }

  /** Sorted packed points: (hash with its low bits cleared, sign-flipped) | node index. */
  long[] buildRing(NodeStats[] members) {
    int n = members.length;
    double totalWeight = 0;
    for (NodeStats m : members) {
      totalWeight += m.node().weight();
    }
    double perWeight = pointsPerNode * n / totalWeight;
    double scale = Math.min(1.0, maxRingSize / (perWeight * totalWeight));
    int[] points = new int[n];
    long size = 0;
    for (int i = 0; i < n; i++) {
      points[i] = (int) Math.max(1L, Math.round(members[i].node().weight() * perWeight * scale));
      size += points[i];
    }
    int indexBits = RingPicker.indexBits(n);
    long indexMask = (1L << indexBits) - 1;
    long[] ring = new long[Math.toIntExact(size)];
    int k = 0;
    for (int i = 0; i < n; i++) {
      byte[] id = HashKeys.idBytes(members[i]);
      for (int r = 0; r < points[i]; r++) {
        long h = HashKeys.hash(id, r) ^ Long.MIN_VALUE;
        ring[k++] = (h & ~indexMask) | i;
      }
    }
    Arrays.sort(ring);
    return ring;
  }

  @Override
  public String toString() {
    return "ring-hash{pointsPerNode=" + pointsPerNode + ", maxRingSize=" + maxRingSize
        + (loadFactor > 0 ? ", boundedLoad=" + loadFactor : "") + '}';
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RingHashStrategy that && that.pointsPerNode == pointsPerNode
        && that.maxRingSize == maxRingSize && that.loadFactor == loadFactor;
  }

  @Override
  public int hashCode() {
    return (pointsPerNode * 31 + maxRingSize) * 31 + Double.hashCode(loadFactor);
  }

  static final class RingPicker implements Picker {
    private final NodeStats[] nodes;
    private final double[] weights;
    private final double totalWeight;
    private final long[] ring;
    private final long indexMask;
    private final int bucketShift;
    /** bucketStart[b] = index of the first point whose hash's top bits are >= b. */
    private final int[] bucketStart;
    private final double loadFactor;
    private final RandomGenerator random;

    RingPicker(NodeStats[] nodes, long[] ring, double loadFactor, RandomGenerator random) {
      this.nodes = nodes;
      this.ring = ring;
      this.loadFactor = loadFactor;
      this.random = random;
      this.indexMask = (1L << indexBits(nodes.length)) - 1;
      this.weights = new double[nodes.length];
      double total = 0;
      for (int i = 0; i < nodes.length; i++) {
        weights[i] = nodes[i].node().weight();
        total += weights[i];
      }
      this.totalWeight = total;
      // About four points per bucket: the search inside one is two or three probes.
      int bits = Math.max(1, Math.min(22, 64 - Long.numberOfLeadingZeros(ring.length) - 2));
      this.bucketShift = 64 - bits;
      this.bucketStart = new int[(1 << bits) + 1];
      int p = 0;
      for (int b = 0; b <= 1 << bits; b++) {
        while (p < ring.length && bucketOf(ring[p] ^ Long.MIN_VALUE) < b) {
          p++;
        }
        bucketStart[b] = p;
      }
    }

    static int indexBits(int n) {
      return Math.max(1, 32 - Integer.numberOfLeadingZeros(n - 1));
    }

    private int bucketOf(long unsignedHash) {
      return (int) (unsignedHash >>> bucketShift);
    }

    /** Index of the first point at or after {@code hash} on the ring (wrapping to 0). */
    int locate(long hash) {
      long key = hash ^ Long.MIN_VALUE;
      int b = bucketOf(hash);
      int lo = bucketStart[b];
      int hi = bucketStart[b + 1];
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (ring[mid] < key) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo == ring.length ? 0 : lo;
    }

    int owner(int point) {
      return (int) (ring[point] & indexMask);
    }

    @Override
    public @Nullable NodeStats pick(PickContext ctx) {
      long hash = ctx.hasHashKey() ? ctx.hash() : random.nextLong();
      int point = locate(hash);
      if (loadFactor == 0.0) {
        NodeStats first = nodes[owner(point)];
        if (!ctx.hasTried() || !ctx.isTried(first.node())) {
          return first;
        }
        return walk(point, ctx);
      }
      return boundedWalk(point, ctx);
    }

    private @Nullable NodeStats walk(int point, PickContext ctx) {
      // Enough steps to meet every node unless the ring is badly skewed; then scan.
      int limit = Math.min(ring.length, 64 * nodes.length);
      for (int k = 0, p = point; k < limit; k++, p = p + 1 == ring.length ? 0 : p + 1) {
        NodeStats candidate = nodes[owner(p)];
        if (!ctx.isTried(candidate.node())) {
          return candidate;
        }
      }
      return Candidates.firstUntried(nodes, owner(point), ctx);
    }

    private @Nullable NodeStats boundedWalk(int point, PickContext ctx) {
      long inFlight = nodes[0].serviceInFlight();
      double perWeight = loadFactor * (inFlight + 1) / totalWeight;
      for (int k = 0, p = point; k < ring.length; k++, p = p + 1 == ring.length ? 0 : p + 1) {
        int i = owner(p);
        NodeStats candidate = nodes[i];
        if (ctx.hasTried() && ctx.isTried(candidate.node())) {
          continue;
        }
        int cap = (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(perWeight * weights[i]));
        if (candidate.tryAcquire(cap)) {
          return candidate;
        }
      }
      // Racing picks filled every node past the caps computed from our snapshot of the total;
      // never fail a request for that: take the key's own node (or the next untried) regardless.
      NodeStats any = walk(point, ctx);
      if (any != null) {
        any.tryAcquire(Integer.MAX_VALUE);
      }
      return any;
    }

    @Override
    public boolean reservesInFlight() {
      return loadFactor > 0.0;
    }
  }
}
