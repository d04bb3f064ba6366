package dev.loadstar.strategy;

import static dev.loadstar.testing.Nodes.histogram;
import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static dev.loadstar.testing.Nodes.sequence;
import static dev.loadstar.testing.Nodes.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.testing.ScriptedRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinStrategyTest {

  private static LoadBalancer lb() {
    return LoadBalancer.builder().defaultStrategy(Strategies.weightedRoundRobin())
        .random(ScriptedRandom.ZERO).build();
  }

  @Test
  void interleavesWeightsFiveOneOneLikeNginx() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", List.of(weighted(0, 5), weighted(1, 1), weighted(2, 1)));
    String a = node(0).id(), b = node(1).id(), c = node(2).id();
    assertThat(sequence(lb, "svc", 14)).containsExactly(
        a, a, b, a, c, a, a,
        a, a, b, a, c, a, a);
  }

  @Test
  void neverSendsMoreInARowThanTheWeightsForce() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", List.of(weighted(0, 3), weighted(1, 2), weighted(2, 1)));
    List<String> seq = sequence(lb, "svc", 600);
    assertThat(longestRun(seq)).isLessThanOrEqualTo(2);
    Map<String, Integer> counts = histogram(lb, "svc", 600);
    assertThat(counts).containsEntry(node(0).id(), 300).containsEntry(node(1).id(), 200)
        .containsEntry(node(2).id(), 100);
  }

  @Test
  void equalWeightsArePlainRoundRobin() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(3));
    assertThat(sequence(lb, "svc", 4))
        .containsExactly(node(0).id(), node(1).id(), node(2).id(), node(0).id());
  }

  @Test
  void weightsWhoseSumOverflowsAnIntStillKeepTheirRatio() throws Exception {
    // 2^31 - 1 + 2^30 + ... overflows int arithmetic; the schedule works in longs and scales
    // cycles longer than 2^20 down proportionally.
    LoadBalancer lb = lb();
    lb.registry().update("svc", List.of(
        weighted(0, Integer.MAX_VALUE), weighted(1, Integer.MAX_VALUE / 2), weighted(2, 1)));
    Map<String, Integer> counts = histogram(lb, "svc", 3 << 16);
    double ratio = counts.get(node(0).id()) / (double) counts.get(node(1).id());
    assertThat(ratio).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(counts.getOrDefault(node(2).id(), 0)).isLessThanOrEqualTo(1);
  }

  @Test
  void largeMembershipsGetEveryNodeExactlyItsWeightPerCycle() throws Exception {
    // 3,000 nodes with weights 1..100 (cycle 151,500): past the nginx budget, so the
    // earliest-deadline-first schedule is used; it must still honour every weight exactly.
    List<Node> nodes = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < 3_000; i++) {
      nodes.add(weighted(i, 1 + i % 100));
      total += 1 + i % 100;
    }
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes);
    Map<String, Integer> counts = histogram(lb, "svc", (int) total);
    for (int i = 0; i < 3_000; i++) {
      assertThat(counts.get(node(i).id())).as("picks of node %d", i).isEqualTo(1 + i % 100);
    }
  }

  private static int longestRun(List<String> seq) {
    int best = 1;
    int run = 1;
    for (int i = 1; i < seq.size(); i++) {
      run = seq.get(i).equals(seq.get(i - 1)) ? run + 1 : 1;
      best = Math.max(best, run);
    }
    return best;
  }
}
