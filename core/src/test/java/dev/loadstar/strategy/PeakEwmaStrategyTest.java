package dev.loadstar.strategy;

import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.registry.NodeStats;
import dev.loadstar.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** Peak EWMA with the default 10 s decay, driven by a fake clock: one request every 10 ms. */
class PeakEwmaStrategyTest {
  private static final Duration TICK = Duration.ofMillis(10);
  private static final long MS = 1_000_000L;

  private final FakeClock clock = new FakeClock();
  private final LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.peakEwma())
      .nanoTime(clock).random(new SplittableRandom(3)).build();

  /** Sends {@code count} sequential requests; each node answers in the latency given; returns the picks. */
  private List<Node> traffic(int count, ToLongFunction<Node> latencyNanos) throws Exception {
    List<Node> picked = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try (Lease lease = lb.pick("svc")) {
        clock.advance(TICK);
        lease.success(latencyNanos.applyAsLong(lease.node()));
        picked.add(lease.node());
      }
    }
    return picked;
  }

  @Test
  void movesTrafficAwayFromASlowNodeAndProbesItAgainAfterItRecovers() throws Exception {
    lb.registry().update("svc", nodes(3));
    Node slow = node(0);

    // 20 s with node 0 ten times slower than the others.
    List<Node> slowPhase = traffic(2_000, n -> n.equals(slow) ? 100 * MS : 10 * MS);
    long slowPicks = slowPhase.subList(100, 2_000).stream().filter(slow::equals).count();
    assertThat(slowPicks).as("picks of the slow node once it was measured").isLessThanOrEqualTo(19);

    // Node 0 recovers and is now the fastest. It is only found out if it is probed again.
    List<Node> recovery = traffic(6_000, n -> n.equals(slow) ? 5 * MS : 10 * MS);
    assertThat(recovery.subList(0, 3_000)).as("slow node probed within 30 s").contains(slow);
    long lastShare = recovery.subList(5_000, 6_000).stream().filter(slow::equals).count();
    assertThat(lastShare).as("recovered node's picks in the last 1,000").isGreaterThan(500);
  }

  /**
   * {@code rounds} rounds of {@code concurrency} requests in flight together: all picked, then
   * all answered 10 ms later in the latency given. Returns the picks.
   */
  private List<Node> concurrentTraffic(int rounds, int concurrency, ToLongFunction<Node> latencyNanos)
      throws Exception {
    List<Node> picked = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      List<Lease> held = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        held.add(lb.pick("svc"));
      }
      clock.advance(TICK);
      for (Lease lease : held) {
        lease.success(latencyNanos.applyAsLong(lease.node()));
        lease.close();
        picked.add(lease.node());
      }
    }
    return picked;
  }

  @Test
  void busyNodesForgetAStallTheyAllSawWhileTheSlowNodeKeepsItsPeak() throws Exception {
    lb.registry().update("svc", nodes(3));
    Node slow = node(0);
    ToLongFunction<Node> normal = n -> n.equals(slow) ? 50 * MS : 10 * MS;
    List<Node> before = concurrentTraffic(200, 4, normal);
    assertThat(before.subList(400, 800)).as("settled before the stall").doesNotContain(slow);

    // The client stalls (a GC pause): every answer takes 400 ms longer, so every node's estimate
    // jumps to its peak and the slow node looks barely slower than the others, which have more
    // requests in flight.
    concurrentTraffic(5, 4, n -> normal.applyAsLong(n) + 400 * MS);

    // The fast nodes' fresh answers outweigh the peak within a few hundred (1.5 s here). Weighing
    // samples by time alone (10 s decay), the peak would dominate for seconds: the slow node
    // would keep a quarter of the calls (measured: 46-52 of every 200).
    List<Node> after = concurrentTraffic(300, 4, normal);
    long slowPicks = after.subList(800, 1_200).stream().filter(slow::equals).count();
    assertThat(slowPicks).as("picks of the slow node 2-3 s after the stall").isLessThanOrEqualTo(8);
  }

  @Test
  void aFailureNeverMakesANodeLookFaster() throws Exception {
    lb.registry().update("svc", nodes(2));
    traffic(200, n -> 50 * MS);
    // Node 0 now fails fast (1 ms connection refused); node 1 keeps answering in 50 ms.
    int toFailing = 0;
    for (int i = 0; i < 500; i++) {
      try (Lease lease = lb.pick("svc")) {
        clock.advance(TICK);
        if (lease.node().equals(node(0))) {
          toFailing++;
          lease.failure(new java.io.IOException("refused"), MS);
        } else {
          lease.success(50 * MS);
        }
      }
    }
    // A latency-only balancer that believed the 1 ms would send nearly everything to node 0.
    assertThat(toFailing).isLessThan(350);
  }

  @Test
  void preferstheNodeWithFewerRequestsInFlightAtEqualLatency() throws Exception {
    lb.registry().update("svc", nodes(2));
    traffic(100, n -> 10 * MS);
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      held.add(lb.pick("svc"));
    }
    long onZero = held.stream().filter(l -> l.node().equals(node(0))).count();
    assertThat(onZero).isBetween(20L, 30L);
    held.forEach(Lease::close);
  }

  @Test
  void decayFactorFollowsTheExponentialOnBothSidesOfItsShortcut() {
    double decay = Duration.ofSeconds(10).toNanos();
    for (long elapsed : new long[] {0, 1, 1_000, 1_000_000, 100_000_000, 156_249_999, 156_250_001,
        1_000_000_000, 10_000_000_000L, 100_000_000_000L}) {
      assertThat(NodeStats.decayFactor(elapsed, decay))
          .as("elapsed %d ns", elapsed)
          .isCloseTo(Math.exp(-elapsed / decay), offset(1e-6));
    }
  }
}
