package dev.loadstar;

import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.registry.NodeStats;
import dev.loadstar.registry.ServiceRegistry;
import dev.loadstar.testing.FakeClock;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
  private final FakeClock clock = new FakeClock();
  private final LoadBalancer lb = LoadBalancer.builder().nanoTime(clock).build();

  private NodeStats stats(Node node) {
    return ((ServiceRegistry) lb.registry()).stats("orders").stream()
        .filter(s -> s.node().id().equals(node.id())).findFirst().orElseThrow();
  }

  @Test
  void leaseCountsTheRequestInFlightUntilClosedAndOnlyOnce() throws Exception {
    lb.registry().update("orders", nodes(1));
    Lease lease = lb.pick("orders");
    assertThat(lease.node()).isEqualTo(node(0));
    assertThat(stats(node(0)).inFlight()).isEqualTo(1);
    lease.success(5_000_000L);
    assertThat(stats(node(0)).inFlight()).as("reporting does not end the request").isEqualTo(1);
    lease.close();
    lease.close();
    assertThat(stats(node(0)).inFlight()).isZero();
  }

  @Test
  void onlyTheFirstOutcomeCounts() throws Exception {
    lb.registry().update("orders", nodes(1));
    try (Lease lease = lb.pick("orders")) {
      lease.success(5_000_000L);
      lease.success(900_000_000L);
      lease.failure(new IOException("late"), 900_000_000L);
    }
    assertThat(stats(node(0)).ewmaCostNanos()).isEqualTo(5_000_000.0);
  }

  @Test
  void unknownServiceFailsNamingItAndTheKnownOnes() throws Exception {
    lb.registry().update("orders", nodes(1));
    assertThatThrownBy(() -> lb.pick("users"))
        .isInstanceOf(NoAvailableNodeException.class)
        .isInstanceOf(IOException.class)
        .hasMessage("no available node for service 'users' (unknown service; known: [orders])")
        .satisfies(e -> assertThat(((NoAvailableNodeException) e).service()).isEqualTo("users"));
  }

  @Test
  void serviceWithoutNodesFailsSayingSo() {
    lb.registry().update("orders", List.of());
    assertThatThrownBy(() -> lb.pick("orders"))
        .isInstanceOf(NoAvailableNodeException.class)
        .hasMessage("no available node for service 'orders' (nodes: 0)");
  }

  @Test
  void everyNodeTriedFailsNamingTheTriedNodes() {
    lb.registry().update("orders", nodes(2));
    PickContext ctx = PickContext.none().withTried(node(0)).withTried(node(1));
    assertThatThrownBy(() -> lb.pick("orders", ctx))
        .isInstanceOf(NoAvailableNodeException.class)
        .hasMessage("no available node for service 'orders' (nodes: 2, "
            + "tried: [127.0.0.1:10000, 127.0.0.1:10001])");
  }

  @Test
  void everyBuiltInStrategyIsReachableByItsName() {
    for (String name : Strategies.names()) {
      assertThat(Strategies.byName(name).name()).isEqualTo(name);
    }
    assertThat(Strategies.names()).contains(
        "round-robin", "weighted-round-robin", "random", "least-requests", "peak-ewma");
    assertThatThrownBy(() -> Strategies.byName("fastest"))
        .hasMessageStartingWith("strategy: 'fastest' (expected one of: round-robin, ");
  }

  @Test
  void serviceConfigRejectsANonPositiveDecay() {
    assertThatThrownBy(() -> ServiceConfig.builder().ewmaDecay(java.time.Duration.ZERO).build())
        .hasMessage("ewmaDecay: PT0S (expected: > 0)");
  }
}
