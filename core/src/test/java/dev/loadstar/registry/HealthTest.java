package dev.loadstar.registry;

import static dev.loadstar.testing.Nodes.histogram;
import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.testing.FakeClock;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ejection and return with the default breaker (5 consecutive failures eject; 10 s open; 3 trial
 * calls), on a fake clock: the test moves time and runs the health tick itself.
 */
class HealthTest {
  private static final long MS = 1_000_000L;
  private final FakeClock clock = new FakeClock();
  private final List<LoadBalancer> balancers = new ArrayList<>();

  private LoadBalancer lb(ServiceConfig config) {
    LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.roundRobin())
        .service("svc", config).nanoTime(clock).random(new SplittableRandom(5))
        .healthInterval(Duration.ofHours(1)).build();
    balancers.add(lb);
    return lb;
  }

  private LoadBalancer lb() {
    return lb(ServiceConfig.builder().slowStartWindow(Duration.ZERO).build());
  }

  @AfterEach
  void close() {
    balancers.forEach(LoadBalancer::close);
  }

  private static ServiceRegistry registry(LoadBalancer lb) {
    return (ServiceRegistry) lb.registry();
  }

  /** Sends {@code count} calls; calls to {@code failing} fail, others succeed. */
  private static void traffic(LoadBalancer lb, int count, Node failing) throws Exception {
    for (int i = 0; i < count; i++) {
      try (Lease lease = lb.pick("svc")) {
        if (lease.node().equals(failing)) {
          lease.failure(new IOException("connection refused"), MS);
        } else {
          lease.success(MS);
        }
      }
    }
  }

  private static void failNode(LoadBalancer lb, Node node, int times) throws Exception {
    PickContext only = PickContext.none();
    for (Node other : lb.registry().nodes("svc")) {
      if (!other.equals(node)) {
        only = only.withTried(other);
      }
    }
    for (int i = 0; i < times; i++) {
      try (Lease lease = lb.pick("svc", only)) {
        assertThat(lease.node()).isEqualTo(node);
        lease.failure(new IOException("connection refused"), MS);
      }
    }
  }

  private static NodeSnapshot snapshotOf(LoadBalancer lb, Node node) {
    return lb.snapshot().get(0).nodes().stream().filter(n -> n.id().equals(node.id()))
        .findFirst().orElseThrow();
  }

  @Test
  void aNodeFailingFiveTimesInARowIsEjectedAndGetsNoTraffic() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(3));
    traffic(lb, 30, node(99));
    failNode(lb, node(0), 4);
    assertThat(snapshotOf(lb, node(0)).ejected()).as("after 4 failures").isFalse();
    failNode(lb, node(0), 1);
    assertThat(snapshotOf(lb, node(0)).ejected()).as("after 5 failures").isTrue();
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("OPEN");
    assertThat(histogram(lb, "svc", 300)).doesNotContainKey(node(0).id());
  }

  @Test
  void anEjectedNodeReturnsAfterTheWaitWhenItsTrialsSucceed() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(3));
    failNode(lb, node(0), 5);
    clock.advance(Duration.ofSeconds(9));
    registry(lb).tick();
    assertThat(snapshotOf(lb, node(0)).breakerState()).as("before the wait").isEqualTo("OPEN");
    clock.advance(Duration.ofSeconds(1));
    registry(lb).tick();
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("HALF_OPEN");
    assertThat(snapshotOf(lb, node(0)).eligible()).isTrue();
    traffic(lb, 30, node(99));
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("CLOSED");
    assertThat(histogram(lb, "svc", 30)).containsEntry(node(0).id(), 10);
  }

  @Test
  void healthListenersHearEjectionReturnAndPanicInOrder() throws Exception {
    LoadBalancer lb = lb();
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    lb.addHealthListener(new HealthListener() {
      @Override
      public void onEjected(String service, Node node) {
        heard.add("ejected " + node.port());
      }

      @Override
      public void onReturned(String service, Node node) {
        heard.add("returned " + node.port());
      }

      @Override
      public void onPanic(String service, boolean panic) {
        heard.add("panic " + panic);
      }
    });
    lb.registry().update("svc", nodes(2));
    failNode(lb, node(0), 5);
    failNode(lb, node(1), 5);
    clock.advance(Duration.ofSeconds(10));
    registry(lb).tick();
    PickContext onlyZero = PickContext.none().withTried(node(1));
    for (int i = 0; i < 3; i++) {
      try (Lease lease = lb.pick("svc", onlyZero)) {
        lease.success(MS);
      }
    }
    assertThat(heard).containsExactly("ejected 10000", "ejected 10001", "panic true",
        "panic false", "returned 10000");
  }

  @Test
  void anEjectedNodeStaysOutWhenItsTrialsFail() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(3));
    failNode(lb, node(0), 5);
    clock.advance(Duration.ofSeconds(10));
    registry(lb).tick();
    traffic(lb, 30, node(0));
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("OPEN");
    assertThat(histogram(lb, "svc", 60)).doesNotContainKey(node(0).id());
    // ... and it gets another chance after another wait.
    clock.advance(Duration.ofSeconds(10));
    registry(lb).tick();
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("HALF_OPEN");
  }

  @Test
  void whenEveryNodeFailsTheServicePanicsAndCallsStillGetANode() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(4));
    for (int i = 0; i < 4; i++) {
      failNode(lb, node(i), 5);
    }
    ServiceSnapshot snapshot = lb.snapshot().get(0);
    assertThat(snapshot.panic()).isTrue();
    assertThat(snapshot.eligibleNodes()).isZero();
    assertThat(histogram(lb, "svc", 40)).hasSize(4);
  }

  @Test
  void panicStartsBelowTheThresholdNotAtIt() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(4));
    failNode(lb, node(0), 5);
    failNode(lb, node(1), 5);
    assertThat(lb.snapshot().get(0).panic()).as("2 of 4 eligible is 50%").isFalse();
    assertThat(histogram(lb, "svc", 40)).containsOnlyKeys(node(2).id(), node(3).id());
    failNode(lb, node(2), 5);
    assertThat(lb.snapshot().get(0).panic()).as("1 of 4 eligible").isTrue();
  }

  @Test
  void theEjectionCapKeepsNodesInRotation() throws Exception {
    LoadBalancer lb = lb(ServiceConfig.builder().maxEjectionShare(0.25)
        .slowStartWindow(Duration.ZERO).build());
    lb.registry().update("svc", nodes(4));
    failNode(lb, node(0), 5);
    failNode(lb, node(1), 5);
    assertThat(snapshotOf(lb, node(0)).ejected()).isTrue();
    assertThat(snapshotOf(lb, node(1)).ejected()).as("over the 25% cap").isFalse();
    assertThat(snapshotOf(lb, node(1)).breakerState()).isEqualTo("OPEN");
  }

  @Test
  void breakersLeaveTheRegistryWithTheirNodes() {
    LoadBalancer lb = lb();
    for (int round = 0; round < 50; round++) {
      lb.registry().update("svc", List.of(node(round), node(round + 1)));
    }
    assertThat(registry(lb).breakerNames())
        .containsExactlyInAnyOrder("svc/" + node(49).id(), "svc/" + node(50).id());
  }

  @Test
  void slowStartRampsANewNodesWeightOverTheWindow() throws Exception {
    LoadBalancer lb = lb(ServiceConfig.builder().strategy(Strategies.weightedRoundRobin())
        .slowStartWindow(Duration.ofSeconds(30)).build());
    lb.registry().update("svc", nodes(1));
    clock.advance(Duration.ofSeconds(60));
    registry(lb).tick();
    lb.registry().update("svc", nodes(2));
    assertThat(snapshotOf(lb, node(1)).effectiveWeight()).isCloseTo(0.1, within(1e-9));
    assertThat(share(lb, node(1))).isCloseTo(0.1 / 1.1, within(0.01));

    clock.advance(Duration.ofSeconds(15));
    registry(lb).tick();
    assertThat(snapshotOf(lb, node(1)).effectiveWeight()).isCloseTo(0.5, within(1e-9));
    assertThat(share(lb, node(1))).isCloseTo(0.5 / 1.5, within(0.01));

    clock.advance(Duration.ofSeconds(15));
    registry(lb).tick();
    assertThat(snapshotOf(lb, node(1)).effectiveWeight()).isEqualTo(1.0);
    assertThat(share(lb, node(1))).isCloseTo(0.5, within(0.01));
  }

  @Test
  void aNodeReturningFromEjectionRampsUpAgain() throws Exception {
    LoadBalancer lb = lb(ServiceConfig.builder().strategy(Strategies.weightedRoundRobin()).build());
    lb.registry().update("svc", nodes(2));
    clock.advance(Duration.ofSeconds(60));
    registry(lb).tick();
    failNode(lb, node(0), 5);
    clock.advance(Duration.ofSeconds(10));
    registry(lb).tick();
    PickContext onlyZero = PickContext.none().withTried(node(1));
    for (int i = 0; i < 3; i++) {
      try (Lease lease = lb.pick("svc", onlyZero)) {
        lease.success(MS);
      }
    }
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("CLOSED");
    assertThat(snapshotOf(lb, node(0)).effectiveWeight()).isCloseTo(0.1, within(1e-9));
  }

  @Test
  void picksStayInTheCallersZoneAndSpillWhenTooFewThereAreEligible() throws Exception {
    LoadBalancer lb = LoadBalancer.builder().zone("eu-1").nanoTime(clock)
        .defaultStrategy(Strategies.roundRobin()).healthInterval(Duration.ofHours(1)).build();
    balancers.add(lb);
    List<Node> nodes = List.of(zoned(0, "eu-1"), zoned(1, "eu-1"), zoned(2, "us-1"), zoned(3, "us-1"));
    lb.registry().update("svc", nodes);
    assertThat(histogram(lb, "svc", 40)).containsOnlyKeys(node(0).id(), node(1).id());
    failNode(lb, nodes.get(0), 5);
    assertThat(histogram(lb, "svc", 40)).as("1 of 2 local eligible: still enough")
        .containsOnlyKeys(node(1).id());
    failNode(lb, nodes.get(1), 5);
    assertThat(histogram(lb, "svc", 40)).as("no local node left: spill")
        .containsOnlyKeys(node(2).id(), node(3).id());
  }

  @Test
  void requiredTagsSelectASubsetAndNameTheTagsWhenNoneMatch() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", List.of(tagged(0, "version=v1"), tagged(1, "version=v2"),
        tagged(2, "version=v2")));
    Map<String, Integer> v2 = new java.util.HashMap<>();
    for (int i = 0; i < 40; i++) {
      try (Lease lease = lb.pick("svc", PickContext.requireTags("version=v2"))) {
        v2.merge(lease.node().id(), 1, Integer::sum);
      }
    }
    assertThat(v2).containsOnlyKeys(node(1).id(), node(2).id());
    assertThatThrownBy(() -> lb.pick("svc", PickContext.requireTags("version=v3")))
        .isInstanceOf(NoAvailableNodeException.class)
        .hasMessage("no available node for service 'svc' with tags [version=v3] (nodes: 3, matching: 0)");
  }

  @Test
  void aLeaseEndedWithoutAnOutcomeGivesItsTrialPermissionBack() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(2));
    failNode(lb, node(0), 5);
    clock.advance(Duration.ofSeconds(10));
    registry(lb).tick();
    PickContext onlyZero = PickContext.none().withTried(node(1));
    // Three cancelled trials: each returns its permission, so the breaker stays half-open ...
    for (int i = 0; i < 3; i++) {
      lb.pick("svc", onlyZero).close();
    }
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("HALF_OPEN");
    // ... and three real trials still decide it.
    for (int i = 0; i < 3; i++) {
      try (Lease lease = lb.pick("svc", onlyZero)) {
        lease.success(MS);
      }
    }
    assertThat(snapshotOf(lb, node(0)).breakerState()).isEqualTo("CLOSED");
  }

  @Test
  void snapshotSerialisesToJson() throws Exception {
    LoadBalancer lb = lb();
    lb.registry().update("svc", nodes(2));
    failNode(lb, node(0), 5);
    JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(lb.snapshot()));
    assertThat(json.get(0).get("service").asText()).isEqualTo("svc");
    assertThat(json.get(0).get("nodes").get(0).get("breakerState").asText()).isEqualTo("OPEN");
    assertThat(json.get(0).get("nodes").get(0).get("ejected").asBoolean()).isTrue();
    assertThat(json.get(0).get("nodes").get(1).get("inFlight").asInt()).isZero();
  }

  @Test
  void unusableBreakerSettingsFailAtBuildNamingTheSetting() {
    assertThatThrownBy(() -> ServiceConfig.builder().circuitBreaker(CircuitBreakerConfig.custom()
        .ignoreExceptions(IOException.class).build()).build())
        .hasMessageStartingWith("circuitBreaker.recordExceptions");
    assertThatThrownBy(() -> ServiceConfig.builder().circuitBreaker(CircuitBreakerConfig.custom()
        .slidingWindowSize(5).minimumNumberOfCalls(20).build()).build())
        .hasMessageStartingWith("circuitBreaker.minimumNumberOfCalls: 20");
    assertThatThrownBy(() -> ServiceConfig.builder().panicThreshold(1.5).build())
        .hasMessage("panicThreshold: 1.5 (expected: 0.0-1.0)");
  }

  private static double share(LoadBalancer lb, Node node) throws Exception {
    Map<String, Integer> h = histogram(lb, "svc", 1_100);
    return h.getOrDefault(node.id(), 0) / 1_100.0;
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }

  private static Node zoned(int i, String zone) {
    return node(i).toBuilder().zone(zone).build();
  }

  private static Node tagged(int i, String tag) {
    return node(i).toBuilder().tag(tag).build();
  }
}
