package dev.loadstar.registry;

import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.NodeRegistry;
import dev.loadstar.Strategies;
import dev.loadstar.testing.FakeClock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ServiceRegistryTest {
  private final FakeClock clock = new FakeClock();
  private final LoadBalancer lb = LoadBalancer.builder().nanoTime(clock).build();
  private final NodeRegistry registry = lb.registry();
  private final List<MembershipChange> changes = new CopyOnWriteArrayList<>();

  ServiceRegistryTest() {
    registry.addListener(changes::add);
  }

  private Map<String, NodeStats> stats(String service) {
    return ((ServiceRegistry) registry).stats(service).stream()
        .collect(Collectors.toMap(s -> s.node().id(), Function.identity()));
  }

  @Test
  void nodesReturnsTheCurrentMembershipAsAnImmutableList() {
    registry.update("orders", nodes(2));
    List<Node> now = registry.nodes("orders");
    assertThat(now).containsExactly(node(0), node(1));
    assertThatThrownBy(() -> now.add(node(3))).isInstanceOf(UnsupportedOperationException.class);
    assertThat(registry.nodes("unknown")).isEmpty();
    assertThat(registry.services()).containsExactly("orders");
  }

  @Test
  void survivingNodesKeepTheirStatsAcrossUpdates() throws Exception {
    registry.update("orders", nodes(3));
    NodeStats before = stats("orders").get(node(1).id());
    Lease open = null;
    while (open == null) {
      Lease l = lb.pick("orders");
      if (l.node().equals(node(1))) {
        open = l;
      } else {
        l.close();
      }
    }
    try (Lease l = lb.pick("orders", dev.loadstar.PickContext.none().withTried(node(0))
        .withTried(node(2)))) {
      l.success(40_000_000L);
    }

    registry.update("orders", List.of(node(1), node(5), node(2)));

    NodeStats after = stats("orders").get(node(1).id());
    assertThat(after).isSameAs(before);
    assertThat(after.inFlight()).isEqualTo(1);
    assertThat(after.ewmaCostNanos()).isEqualTo(40_000_000.0);
    open.close();
    assertThat(after.inFlight()).isZero();
    assertThat(stats("orders").get(node(5).id()).inFlight()).isZero();
  }

  @Test
  void aChangedWeightKeepsTheStatsAndIsPublished() {
    registry.update("orders", nodes(2));
    NodeStats before = stats("orders").get(node(0).id());
    Node heavier = node(0).toBuilder().weight(5).build();
    registry.update("orders", List.of(heavier, node(1)));
    assertThat(stats("orders").get(node(0).id())).isSameAs(before);
    assertThat(before.node().weight()).isEqualTo(5);
    assertThat(registry.nodes("orders")).containsExactly(heavier, node(1));
    assertThat(changes.get(1).changed()).containsExactly(heavier);
  }

  @Test
  void identicalUpdatesAreNoOpsInAnyOrder() {
    registry.update("orders", nodes(3));
    Map<String, NodeStats> before = stats("orders");
    registry.update("orders", nodes(3));
    List<Node> reversed = new ArrayList<>(nodes(3));
    java.util.Collections.reverse(reversed);
    registry.update("orders", reversed);
    assertThat(changes).hasSize(1);
    assertThat(registry.nodes("orders")).containsExactly(node(0), node(1), node(2));
    stats("orders").forEach((id, s) -> assertThat(s).isSameAs(before.get(id)));
  }

  @Test
  void listenersHearWhatWasAddedRemovedAndChangedInOrder() {
    registry.update("orders", nodes(2));
    registry.update("orders", List.of(node(1), node(2)));
    registry.update("orders", List.of());
    assertThat(changes).hasSize(3);
    assertThat(changes.get(0).added()).containsExactly(node(0), node(1));
    assertThat(changes.get(1).added()).containsExactly(node(2));
    assertThat(changes.get(1).removed()).containsExactly(node(0));
    assertThat(changes.get(1).nodes()).containsExactly(node(1), node(2));
    assertThat(changes.get(2).removed()).containsExactlyInAnyOrder(node(1), node(2));
    assertThat(changes.get(2).nodes()).isEmpty();
  }

  @Test
  void aThrowingListenerDoesNotStopTheUpdateOrOtherListeners() throws Exception {
    registry.addListener(c -> {
      throw new IllegalStateException("boom");
    });
    List<MembershipChange> later = new CopyOnWriteArrayList<>();
    registry.addListener(later::add);
    registry.update("orders", nodes(1));
    assertThat(registry.nodes("orders")).containsExactly(node(0));
    assertThat(later).hasSize(1);
  }

  @Test
  void removedListenersHearNothing() throws Exception {
    List<MembershipChange> heard = new CopyOnWriteArrayList<>();
    AutoCloseable subscription = registry.addListener(heard::add);
    subscription.close();
    registry.update("orders", nodes(1));
    assertThat(heard).isEmpty();
  }

  @Test
  void badUpdatesNameTheProblemAndKeepTheLastGoodMembership() {
    registry.update("orders", nodes(2));
    assertThatThrownBy(() -> registry.update("orders", List.of(node(3), node(3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate node id '127.0.0.1:10003'")
        .hasMessageContaining("'orders'");
    assertThatThrownBy(() -> registry.update("orders", Arrays.asList(node(4), null)))
        .hasMessageContaining("nodes[1]: null");
    assertThatThrownBy(() -> registry.update(" ", nodes(1))).hasMessageContaining("service: ' '");
    assertThatThrownBy(() -> registry.update("", nodes(1))).hasMessageContaining("service: ''");
    assertThat(registry.nodes("orders")).containsExactly(node(0), node(1));
    assertThat(stats("orders")).containsOnlyKeys(node(0).id(), node(1).id());
    assertThat(changes).hasSize(1);
  }

  @Test
  void aNodeThatFlapsOutAndBackWhileBusyKeepsItsCounters() throws Exception {
    lb.registry().update("orders", nodes(1));
    Lease open = lb.pick("orders");
    NodeStats stats = stats("orders").get(node(0).id());
    registry.update("orders", List.of(node(1)));
    registry.update("orders", nodes(2));
    assertThat(stats("orders").get(node(0).id())).isSameAs(stats);
    assertThat(stats.inFlight()).isEqualTo(1);
    open.close();
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void aStrategyConfiguredPerServiceIsUsedForThatServiceOnly() {
    LoadBalancer custom = LoadBalancer.builder()
        .service("orders", dev.loadstar.ServiceConfig.builder().strategy(Strategies.roundRobin()).build())
        .build();
    ServiceRegistry r = (ServiceRegistry) custom.registry();
    assertThat(r.strategy("orders").name()).isEqualTo("round-robin");
    assertThat(r.strategy("users").name()).isEqualTo("least-requests");
    assertThat(custom.hasService("orders")).isTrue();
    assertThat(custom.hasService("users")).isFalse();
  }
}
