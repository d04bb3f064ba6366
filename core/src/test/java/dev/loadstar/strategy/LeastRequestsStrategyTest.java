package dev.loadstar.strategy;

import static dev.loadstar.testing.Nodes.histogram;
import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static dev.loadstar.testing.Nodes.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.PickContext;
import dev.loadstar.Strategies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastRequestsStrategyTest {

  private static LoadBalancer lb() {
    return LoadBalancer.builder().defaultStrategy(Strategies.leastRequests())
        .random(new SplittableRandom(1)).build();
  }

  @Test
  void sendsNothingToANodeHoldingManyOpenLeasesWhileAnotherIsIdle() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(2));
    // Twenty requests open on node 0 (pinned there by marking node 1 as tried).
    PickContext onlyZero = PickContext.none().withTried(node(1));
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      held.add(lb.pick("svc", onlyZero));
    }
    assertThat(held).allSatisfy(l -> assertThat(l.node()).isEqualTo(node(0)));
    Map<String, Integer> counts = histogram(lb, "svc", 1_000);
    assertThat(counts).containsOnlyKeys(node(1).id());
    held.forEach(Lease::close);
    assertThat(histogram(lb, "svc", 1_000)).containsKeys(node(0).id(), node(1).id());
  }

  @Test
  void balancesOpenRequestsAcrossNodes() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(4));
    List<Lease> open = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      open.add(lb.pick("svc"));
    }
    Map<String, Long> perNode = new java.util.HashMap<>();
    open.forEach(l -> perNode.merge(l.node().id(), 1L, Long::sum));
    // P2C keeps the spread tight: no node ends far from the mean of 100.
    perNode.values().forEach(c -> assertThat(c).isBetween(90L, 110L));
    open.forEach(Lease::close);
  }

  @Test
  void heavierNodesCarryProportionallyMoreOpenRequests() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", List.of(weighted(0, 1), weighted(1, 3)));
    List<Lease> open = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      open.add(lb.pick("svc"));
    }
    long heavy = open.stream().filter(l -> l.node().equals(weighted(1, 3))).count();
    assertThat(heavy).isCloseTo(300L, withPercentage(3));
    open.forEach(Lease::close);
  }

  @Test
  void retrySkipsTheNodesAlreadyTried() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(3));
    PickContext ctx = PickContext.none().withTried(node(0)).withTried(node(2));
    for (int i = 0; i < 50; i++) {
      try (Lease lease = lb.pick("svc", ctx)) {
        assertThat(lease.node()).isEqualTo(node(1));
      }
    }
  }
}
