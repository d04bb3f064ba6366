package dev.loadstar.discovery;

import static dev.loadstar.testing.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.LoadBalancer;
import dev.loadstar.registry.MembershipChange;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StaticDiscoveryTest {
  private final LoadBalancer lb = LoadBalancer.builder().build();

  @Test
  void pushesEveryServiceList() {
    StaticDiscovery.builder()
        .service("orders", node(0), node(1))
        .service("payments", List.of(node(2)))
        .build()
        .applyTo(lb.registry());

    assertThat(lb.registry().nodes("orders")).containsExactly(node(0), node(1));
    assertThat(lb.registry().nodes("payments")).containsExactly(node(2));
  }

  @Test
  void ofKeepsTheMapsOrderAndIsImmutable() {
    StaticDiscovery discovery =
        StaticDiscovery.of(Map.of("orders", List.of(node(0)), "payments", List.of()));

    discovery.applyTo(lb.registry());

    assertThat(lb.registry().services()).containsExactlyInAnyOrder("orders", "payments");
    assertThat(lb.registry().nodes("payments")).isEmpty();
    assertThatThrownBy(() -> discovery.services().put("users", List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void applyingTwiceChangesNothing() throws Exception {
    StaticDiscovery discovery = StaticDiscovery.builder().service("orders", node(0)).build();
    List<MembershipChange> changes = new CopyOnWriteArrayList<>();
    try (AutoCloseable listening = lb.registry().addListener(changes::add)) {
      discovery.applyTo(lb.registry());
      discovery.applyTo(lb.registry());
    }

    assertThat(changes).hasSize(1);
  }

  @Test
  void rejectsBadInputWhenBuiltNotWhenApplied() {
    assertThatThrownBy(() -> StaticDiscovery.builder().service("my orders", node(0)))
        .hasMessage("service: 'my orders' (expected: a non-blank name without spaces)");
    assertThatThrownBy(() -> StaticDiscovery.builder().service("orders", node(0), node(0)))
        .hasMessage("nodes of service 'orders': id '127.0.0.1:10000' twice (expected: unique ids)");
    assertThatThrownBy(
            () -> StaticDiscovery.builder().service("orders", node(0)).service("orders", node(1)))
        .hasMessageContaining("service: 'orders' (expected: each service once");
  }
}
