package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loadstar.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The blocking-query contract against a stand-in that really blocks: initial load, changes on
 * release, no republish without a change, and what the index does (api-docs/features/blocking).
 */
@ExtendWith(TokenNeverLogged.class)
class ConsulWatchTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ConsulStandIn consul = new ConsulStandIn();
  private final RecordingRegistry registry = new RecordingRegistry();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    Collections.reverse(closeables);
    for (AutoCloseable c : closeables) {
      c.close();
    }
    consul.close();
    registry.close();
  }

  private ConsulDiscovery start(ConsulDiscovery.Builder builder, String service) {
    ConsulDiscovery discovery = builder.build();
    closeables.add(discovery);
    discovery.watch(service, registry);
    return discovery;
  }

  /** Waits until the watch has sent query number {@code n} (1-based) and it is being held. */
  private void awaitHeldQuery(String service, int n) {
    Await.until(TIMEOUT, () -> consul.requests(service) >= n && consul.held(service) == 1,
        () -> "query " + n + " of '" + service + "' held (seen: " + consul.seen(service) + ")");
  }

  @Test
  void initialLoadAppliesEveryInstance() {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));

    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);

    assertThat(registry.nodes("orders")).extracting(Node::id, Node::host, Node::port, Node::weight)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("n1/orders", "10.0.0.1", 8000, 10),
            org.assertj.core.groups.Tuple.tuple("n2/orders", "10.0.0.2", 8000, 10),
            org.assertj.core.groups.Tuple.tuple("n3/orders", "10.0.0.3", 8000, 10));
    assertThat(registry.nodes("orders").get(0).tags()).containsExactly("primary");
    assertThat(registry.nodes("orders").get(0).metadata()).containsEntry("redis_version", "4.0");
    assertThat(registry.updateCalls()).isEqualTo(1);
    assertThat(consul.seen("orders").get(1).index()).isEqualTo("10");
  }

  @Test
  void deregistrationReachesTheRegistryWithin100msOfConsulAnswering() {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);
    int before = registry.changeCount();

    long changedAt = System.nanoTime();
    consul.setService("orders", 11, Fixtures.instances("orders", 2));
    Await.until(TIMEOUT, () -> registry.changeCount() > before, "the deregistration applied");

    RecordingRegistry.Change change = registry.changes().get(before);
    long latencyMillis = TimeUnit.NANOSECONDS.toMillis(change.nanoTime() - changedAt);
    assertThat(change.change().removed()).extracting(Node::host).containsExactly("10.0.0.3");
    assertThat(change.change().added()).isEmpty();
    assertThat(registry.hosts("orders")).containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(latencyMillis).as("ms from the stand-in's change to the listener").isLessThan(100);
  }

  @Test
  void answerWithTheSameIndexIsNotRepublished() {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);

    consul.wake("orders"); // the wait passed: same index, same body
    awaitHeldQuery("orders", 3);
    consul.wake("orders");
    awaitHeldQuery("orders", 4);

    assertThat(registry.updateCalls()).isEqualTo(1);
    assertThat(registry.changeCount()).isEqualTo(1);
    assertThat(consul.seen("orders")).extracting(ConsulStandIn.Seen::index)
        .containsExactly(null, "10", "10", "10");
  }

  @Test
  void newIndexWithTheSameInstancesIsNotRepublished() {
    String three = Fixtures.instances("orders", 3);
    consul.setService("orders", 10, three);
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);

    // Another service changed (Consul's index is shared), or only a field Loadstar ignores did.
    consul.setService("orders", 11, three);
    awaitHeldQuery("orders", 3);
    // Same instances in reverse order, with fields Loadstar ignores changed, pretty-printed.
    ArrayNode reordered = Fixtures.JSON.createArrayNode();
    ArrayNode original = treeOf(three);
    for (int i = original.size() - 1; i >= 0; i--) {
      ObjectNode e = (ObjectNode) original.get(i);
      ((ObjectNode) e.get("Node")).put("ID", "changed-node-uuid-" + i);
      ((ObjectNode) e.get("Service")).put("Namespace", "other");
      reordered.add(e);
    }
    consul.setService("orders", 12, reordered.toPrettyString());
    awaitHeldQuery("orders", 4);

    assertThat(registry.updateCalls()).as("updates made by the watch").isEqualTo(1);
    assertThat(registry.changeCount()).isEqualTo(1);
    assertThat(consul.seen("orders")).extracting(ConsulStandIn.Seen::index)
        .containsExactly(null, "10", "11", "12");
  }

  @Test
  void weightChangeIsAppliedAndKeepsNodeIdentity() {
    consul.setService("orders", 10, Fixtures.instances("orders", 2));
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);

    ArrayNode heavier = treeOf(Fixtures.instances("orders", 2));
    ((ObjectNode) heavier.get(1).get("Service").get("Weights")).put("Passing", 30);
    consul.setService("orders", 11, heavier.toString());
    Await.until(TIMEOUT, () -> registry.changeCount() == 2, "the weight change applied");

    assertThat(registry.changes().get(1).change().changed()).extracting(Node::id, Node::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("n2/orders", 30));
  }

  @Test
  void indexGoingBackwardsResetsToAFullReadThenBlocksAgain() {
    consul.setService("orders", 100, Fixtures.instances("orders", 3));
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);

    // A restored snapshot or a new cluster: the index goes back to 50.
    consul.setService("orders", 50, Fixtures.instances("orders", 2));
    awaitHeldQuery("orders", 4);
    consul.setService("orders", 51, Fixtures.instances("orders", 1));
    Await.until(TIMEOUT, () -> registry.nodes("orders").size() == 1, "the change after the reset");
    awaitHeldQuery("orders", 5);

    // index=100 was answered with 50: reset, read in full (no index), then block on 50.
    assertThat(consul.seen("orders")).extracting(ConsulStandIn.Seen::index)
        .containsExactly(null, "100", null, "50", "51");
    assertThat(registry.changes()).extracting(c -> c.change().nodes().size()).containsExactly(3, 2, 1);
  }

  @ParameterizedTest(name = "index header {0}")
  @ValueSource(strings = {"0", "missing"})
  void indexZeroOrMissingNeverBlocksOnZeroAndStaysRateLimited(String header) {
    String two = Fixtures.instances("orders", 2);
    if (header.equals("missing")) {
      consul.sendIndexHeader(false);
      consul.setService("orders", 9, two);
    } else {
      consul.setService("orders", 0, two);
    }
    // Consul then answers at once, every time: only the rate limit (10/s, burst 10) holds the watch.
    start(consul.discovery(), "orders");
    Await.until(TIMEOUT, () -> consul.requests("orders") >= 25,
        () -> "25 queries (seen " + consul.requests("orders") + ")");

    List<ConsulStandIn.Seen> seen = consul.seen("orders");
    long spanMillis = TimeUnit.NANOSECONDS.toMillis(seen.get(24).nanoTime() - seen.get(0).nanoTime());
    // 25 queries at 10/s after a burst of 10 take at least 1.5 s; without the limit, ~25 ms.
    assertThat(spanMillis).as("ms for 25 queries").isGreaterThanOrEqualTo(1_300);
    assertThat(seen).extracting(ConsulStandIn.Seen::index).doesNotContain("0")
        .allSatisfy(i -> assertThat(i).isIn(null, "1"));
    assertThat(registry.updateCalls()).isEqualTo(1);

    // Without a usable index every answer is compared: a change still gets through.
    consul.setService("orders", header.equals("missing") ? 10 : 0, Fixtures.instances("orders", 1));
    Await.until(TIMEOUT, () -> registry.nodes("orders").size() == 1, "the change applied");
  }

  @Test
  void emptyServiceAddressUsesTheNodeAddress() {
    consul.setService("web", 4, Fixtures.text(Fixtures.WEB_DERIVED));
    start(consul.discovery().passingOnly(false), "web");
    awaitHeldQuery("web", 2);

    assertThat(registry.nodes("web")).extracting(Node::id, Node::host, Node::port)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("foobar/web1", "10.1.10.12", 80));
  }

  @ParameterizedTest
  @ValueSource(strings = {Fixtures.REDIS_0_8, Fixtures.REDIS_1_4, Fixtures.REDIS_CURRENT})
  void everyConsulEraAnswerIsApplied(String fixture) {
    consul.setService("redis", 3, Fixtures.text(fixture));
    start(consul.discovery(), "redis");
    awaitHeldQuery("redis", 2);

    int weight = fixture.equals(Fixtures.REDIS_0_8) ? 1 : 10;
    assertThat(registry.nodes("redis")).extracting(Node::id, Node::host, Node::port, Node::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("foobar/redis", "10.1.10.12", 8000, weight));
  }

  @Test
  void passingOnlySendsPassingAndCriticalNeverBecomesANode() {
    consul.setService("orders", 5, mixedHealth());
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);

    assertThat(consul.seen("orders")).allSatisfy(s -> assertThat(s.rawUrl()).contains("passing=true"));
    assertThat(registry.nodes("orders")).extracting(Node::host, Node::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.1", 10));
  }

  @Test
  void withPassingOffWarningInstancesComeWithTheirWarningWeightAndCriticalStaysOut() {
    consul.setService("orders", 5, mixedHealth());
    start(consul.discovery().passingOnly(false), "orders");
    awaitHeldQuery("orders", 2);

    assertThat(consul.seen("orders")).allSatisfy(s -> assertThat(s.rawUrl()).doesNotContain("passing"));
    assertThat(registry.nodes("orders")).extracting(Node::host, Node::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.1", 10),
            org.assertj.core.groups.Tuple.tuple("10.0.0.2", 1));
  }

  @Test
  void instanceGoingCriticalIsRemoved() {
    consul.setService("orders", 5, Fixtures.instances("orders", 2));
    start(consul.discovery().passingOnly(false), "orders");
    awaitHeldQuery("orders", 2);

    consul.setService("orders", 6, Fixtures.body(Fixtures.instance("orders", "n1", "10.0.0.1"),
        Fixtures.withServiceCheck(Fixtures.instance("orders", "n2", "10.0.0.2"), "critical")));
    Await.until(TIMEOUT, () -> registry.nodes("orders").size() == 1, "the critical instance removed");

    assertThat(registry.hosts("orders")).containsExactly("10.0.0.1");
  }

  @Test
  void emptyAnswerIsAppliedAndLogged() {
    consul.setService("orders", 5, Fixtures.instances("orders", 2));
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);
    int mark = LogCapture.mark();

    consul.setService("orders", 6, Fixtures.text(Fixtures.EMPTY_LIST));
    Await.until(TIMEOUT, () -> registry.nodes("orders").isEmpty(), "the empty list applied");

    assertThat(LogCapture.since(mark)).contains("lists no passing instance of service 'orders'");
  }

  @Test
  void unmappableEntriesAreSkippedAndReportedOnce() {
    ArrayNode body = treeOf(Fixtures.instances("orders", 2));
    ((ObjectNode) body.get(1).get("Service")).remove("Port");
    consul.setService("orders", 5, body.toString());
    int mark = LogCapture.mark();
    start(consul.discovery(), "orders");
    awaitHeldQuery("orders", 2);
    consul.setService("orders", 6, body.toString());
    awaitHeldQuery("orders", 3);

    assertThat(registry.hosts("orders")).containsExactly("10.0.0.1");
    assertThat(LogCapture.count(LogCapture.since(mark), "skipping entry n2/orders")).isEqualTo(1);
  }

  @Test
  void rejectedByTheRegistryIsLoggedOnceNotPerRetry() {
    // The core registry refuses a service name with a space: every update throws.
    consul.setService("bad name", 5, Fixtures.instances("bad name", 1));
    int mark = LogCapture.mark();
    start(consul.discovery(), "bad name");
    Await.until(TIMEOUT, () -> consul.requests("bad name") >= 6, "several attempts");

    String log = LogCapture.since(mark);
    assertThat(LogCapture.count(log, "watch of service 'bad name'")).as(log).isEqualTo(1);
    assertThat(log).contains("expected: a non-blank name without spaces");
  }

  /** Three instances: n1 passing, n2 in warning, n3 critical. */
  private static String mixedHealth() {
    return Fixtures.body(Fixtures.instance("orders", "n1", "10.0.0.1"),
        Fixtures.withServiceCheck(Fixtures.instance("orders", "n2", "10.0.0.2"), "warning"),
        Fixtures.withServiceCheck(Fixtures.instance("orders", "n3", "10.0.0.3"), "critical"));
  }

  private static ArrayNode treeOf(String body) {
    try {
      return (ArrayNode) Fixtures.JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
