package dev.loadstar.strategy;

import dev.loadstar.PickContext;
import dev.loadstar.registry.NodeStats;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Small helpers pickers share for the rare paths (retries that skip tried nodes). */
final class Candidates {
  private Candidates() {}

  static NodeStats[] toArray(List<NodeStats> nodes) {
    return nodes.toArray(new NodeStats[0]);
  }

  /** The first node at or after {@code start} (wrapping) that was not tried; null if all were. */
  static @Nullable NodeStats firstUntried(NodeStats[] nodes, int start, PickContext ctx) {
    int n = nodes.length;
    for (int k = 0, i = start; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
      if (!ctx.isTried(nodes[i].node())) {
        return nodes[i];
      }
    }
    return null;
  }

  /** A uniform index in [0, n) from 32 random bits (Lemire's multiply-shift, no division). */
  static int index(int bits32, int n) {
    return (int) (((bits32 & 0xFFFFFFFFL) * n) >>> 32);
  }

  /** Greatest common divisor; gcd(0, x) = x. */
  static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
