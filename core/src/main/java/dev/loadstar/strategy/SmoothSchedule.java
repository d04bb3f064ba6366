package dev.loadstar.strategy;

import dev.loadstar.registry.NodeStats;
import java.util.PriorityQueue;

/**
 * One full cycle of smooth weighted round robin, in which each node appears {@code weight / gcd}
 * times, spread out rather than bunched.
 *
 * <p>nginx's smooth algorithm (each step: every node's current weight grows by its weight, the
 * largest is picked and loses the total) costs nodes × cycle steps, fine for the usual tens of
 * nodes with small weights. Past {@link #NGINX_BUDGET} steps, an earliest-deadline-first schedule
 * (Envoy's; node i's k-th turn is due at (k + 1) / weight_i) gives an equally smooth cycle in
 * cycle × log(nodes). Cycles longer than {@link #MAX_CYCLE} have their weights scaled down
 * proportionally (each stays at least 1), which bounds memory at 4 MiB.
 */
final class SmoothSchedule {
  static final long NGINX_BUDGET = 1L << 24;
  static final int MAX_CYCLE = 1 << 20;

  private SmoothSchedule() {}

  static NodeStats[] of(NodeStats[] nodes) {
    int n = nodes.length;
    long[] w = new long[n];
    boolean equal = true;
    for (int i = 0; i < n; i++) {
      // Weights are fractional while a node is in slow start; thousandths keep that precision and
      // the gcd below removes the scale again when they are whole.
      w[i] = Math.max(1L, Math.round(nodes[i].weight() * 1000));
      equal &= w[i] == w[0];
    }
    if (equal) {
      return nodes.clone();
    }
    long total = reduce(w);
    if (total > MAX_CYCLE) {
      for (int i = 0; i < n; i++) {
        w[i] = Math.max(1L, Math.round((double) w[i] * MAX_CYCLE / total));
      }
      total = reduce(w);
    }
    int length = Math.toIntExact(total);
    return (long) n * length <= NGINX_BUDGET ? nginx(nodes, w, length) : earliestDeadline(nodes, w, length);
  }

  /** Divides the weights by their gcd; returns their sum. */
  private static long reduce(long[] w) {
    long g = 0;
    for (long x : w) {
      g = Candidates.gcd(g, x);
    }
    long total = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] /= g;
      total += w[i];
    }
    return total;
  }

  private static NodeStats[] nginx(NodeStats[] nodes, long[] w, int length) {
    int n = nodes.length;
    long[] current = new long[n];
    NodeStats[] cycle = new NodeStats[length];
    for (int step = 0; step < length; step++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += w[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= length;
      cycle[step] = nodes[best];
    }
    return cycle;
  }

  private static NodeStats[] earliestDeadline(NodeStats[] nodes, long[] w, int length) {
    long[] turns = new long[nodes.length];
    // Deadline of node i is (turns[i] + 1) / w[i]; compare by cross-multiplying (no rounding),
    // ties to the lower index so the cycle is deterministic.
    PriorityQueue<Integer> due = new PriorityQueue<>(nodes.length, (a, b) -> {
      int c = Long.compare((turns[a] + 1) * w[b], (turns[b] + 1) * w[a]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    for (int i = 0; i < nodes.length; i++) {
      due.add(i);
    }
    NodeStats[] cycle = new NodeStats[length];
    for (int step = 0; step < length; step++) {
      int i = due.poll();
      cycle[step] = nodes[i];
      turns[i]++;
      due.add(i);
    }
    return cycle;
  }
}
