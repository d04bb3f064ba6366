package dev.loadstar.strategy;

import static dev.loadstar.testing.Nodes.histogram;
import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static dev.loadstar.testing.Nodes.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Strategies;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Distribution tests: 120,000 picks, fixed seed; each share within 3% (relative) of its target. */
class RandomStrategyTest {
  private static final int PICKS = 120_000;

  private static LoadBalancer lb(long seed) {
    // SplittableRandom is not thread-safe; these tests pick from one thread only.
    RandomGenerator random = new SplittableRandom(seed);
    return LoadBalancer.builder().defaultStrategy(Strategies.random()).random(random).build();
  }

  @Test
  void spreadsUniformlyWhenWeightsAreEqual() throws Exception {
    LoadBalancer lb = lb(42);
    lb.registry().update("svc", nodes(4));
    Map<String, Integer> counts = histogram(lb, "svc", PICKS);
    assertThat(counts).hasSize(4);
    counts.values().forEach(c -> assertThat(c).isCloseTo(PICKS / 4, withPercentage(3)));
  }

  @Test
  void followsWeightsWhenTheyDiffer() throws Exception {
    LoadBalancer lb = lb(42);
    lb.registry().update("svc", List.of(weighted(0, 1), weighted(1, 2), weighted(2, 3)));
    Map<String, Integer> counts = histogram(lb, "svc", PICKS);
    assertThat(counts.get(node(0).id())).isCloseTo(PICKS / 6, withPercentage(3));
    assertThat(counts.get(node(1).id())).isCloseTo(PICKS / 3, withPercentage(3));
    assertThat(counts.get(node(2).id())).isCloseTo(PICKS / 2, withPercentage(3));
  }

  @Test
  void followsSkewedWeightsAcrossManyNodes() throws Exception {
    LoadBalancer lb = lb(7);
    List<dev.loadstar.Node> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < 9; i++) {
      nodes.add(weighted(i, 1));
    }
    nodes.add(weighted(9, 91));
    lb.registry().update("svc", nodes);
    Map<String, Integer> counts = histogram(lb, "svc", PICKS);
    assertThat(counts.get(node(9).id())).isCloseTo(PICKS * 91 / 100, withPercentage(3));
    for (int i = 0; i < 9; i++) {
      assertThat(counts.get(node(i).id())).isCloseTo(PICKS / 100, withPercentage(10));
    }
  }
}
