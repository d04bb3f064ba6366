package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Node;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Consul outage is not a membership change: every kind of failure keeps the last list, backs off
 * with jitter, logs once, and the next good answer is applied.
 */
@ExtendWith(TokenNeverLogged.class)
class ConsulWatchFailureTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  /** Failures counted to see the backoff (20-200 ms, full jitter). */
  private static final int FAILURES = 15;
  /**
   * The least time {@link #FAILURES} failures may take with backoff: the delays after the 4th are
   * uniform in [0, 200) ms, and 11 of them summing below 200 ms has a probability of
   * 1/11! ≈ 2.5e-8. Without backoff (rate limit lifted to 1000/s) they take ~15 ms.
   */
  private static final long MIN_BACKOFF_MILLIS = 200;

  private final ConsulStandIn consul = new ConsulStandIn();
  private final RecordingRegistry registry = new RecordingRegistry();

  @AfterEach
  void tearDown() {
    consul.close();
    registry.close();
  }

  /** Backoff 20-200 ms and no practical rate limit, so only the backoff spaces the retries. */
  private ConsulDiscovery.Builder backoffOnly() {
    return consul.discovery().maxRequestsPerSecond(1000);
  }

  private void awaitHeldQuery(String service, int n) {
    Await.until(TIMEOUT, () -> consul.requests(service) >= n && consul.held(service) == 1,
        () -> "query " + n + " of '" + service + "' held (seen: " + consul.seen(service) + ")");
  }

  static List<Arguments> serverErrors() {
    return List.of(
        Arguments.of("500 No cluster leader", ConsulStandIn.Reply.noClusterLeader(),
            "Consul answered 500 No cluster leader"),
        Arguments.of("429", ConsulStandIn.Reply.tooManyRequests(),
            "Consul answered 429 rate limit exceeded"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serverErrors")
  void keepsLastListBacksOffThenAppliesTheNewList(String name, ConsulStandIn.Reply error,
      String logged) {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    try (ConsulDiscovery discovery = backoffOnly().build()) {
      discovery.watch("orders", registry);
      awaitHeldQuery("orders", 2);
      int mark = LogCapture.mark();
      int before = consul.requests("orders");

      consul.failWith("orders", error);
      Await.until(Duration.ofSeconds(20), () -> consul.requests("orders") >= before + FAILURES,
          FAILURES + " failed attempts");

      List<ConsulStandIn.Seen> seen = consul.seen("orders");
      long spanMillis = TimeUnit.NANOSECONDS.toMillis(
          seen.get(before + FAILURES - 1).nanoTime() - seen.get(before).nanoTime());
      assertThat(spanMillis).as("ms for %d failures", FAILURES).isGreaterThanOrEqualTo(MIN_BACKOFF_MILLIS);
      assertThat(registry.hosts("orders")).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
      assertThat(registry.updateCalls()).isEqualTo(1);
      assertThat(seen.subList(before + 1, seen.size())).extracting(ConsulStandIn.Seen::index)
          .as("a failure resets the index: full reads").containsOnlyNulls();

      consul.setService("orders", 20, Fixtures.instances("orders", 2));
      consul.heal("orders");
      Await.until(TIMEOUT, () -> registry.nodes("orders").size() == 2, "the new list after recovery");
      // "recovered" is logged just after the update is applied: wait for the line, not the list.
      Await.until(TIMEOUT, () -> LogCapture.since(mark).contains("recovered after"),
          "the recovery log line");

      String log = LogCapture.since(mark);
      assertThat(LogCapture.count(log, logged)).as("logged once, not per retry:\n" + log).isEqualTo(1);
      assertThat(log).contains("keeping the last 3 nodes").contains("recovered after");
    }
  }

  @Test
  void connectionRefusedKeepsListBacksOffThenRecovers() throws Exception {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    ConsulDiscovery.Builder builder = backoffOnly();
    RecordingTransport transport = new RecordingTransport(new EcwidTransport(consul.address(), null,
        Duration.ofSeconds(1), builder.readTimeout(), 4, null));
    try (ConsulDiscovery discovery = builder.build(transport)) {
      discovery.watch("orders", registry);
      awaitHeldQuery("orders", 2);
      int mark = LogCapture.mark();

      consul.stop();
      long stoppedAt = System.nanoTime();
      Supplier<List<RecordingTransport.Call>> refused = () -> transport.calls().stream()
          .filter(c -> c.startNanos() - stoppedAt >= 0 && c.error() != null).toList();
      Await.until(Duration.ofSeconds(20), () -> refused.get().size() >= FAILURES,
          () -> FAILURES + " refused attempts (calls: " + transport.calls() + ")");

      List<RecordingTransport.Call> calls = refused.get();
      long spanMillis = TimeUnit.NANOSECONDS.toMillis(
          calls.get(FAILURES - 1).startNanos() - calls.get(0).startNanos());
      assertThat(spanMillis).as("ms for %d refused connects", FAILURES)
          .isGreaterThanOrEqualTo(MIN_BACKOFF_MILLIS);
      assertThat(registry.hosts("orders")).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");

      consul.setService("orders", 30, Fixtures.instances("orders", 1));
      consul.restart();
      Await.until(TIMEOUT, () -> registry.nodes("orders").size() == 1, "the new list after restart");
      // "recovered" is logged just after the update is applied: wait for the line, not the list.
      Await.until(TIMEOUT, () -> LogCapture.since(mark).contains("recovered after"),
          "the recovery log line");

      String log = LogCapture.since(mark);
      assertThat(log).contains("no answer from Consul").contains("Connection refused")
          .contains("keeping the last 3 nodes").contains("recovered after");
    }
  }

  static List<Arguments> brokenAnswers() {
    String body = Fixtures.instances("orders", 3);
    return List.of(
        Arguments.of("connection reset", ConsulStandIn.Reply.connectionReset(), "no answer from Consul"),
        Arguments.of("empty body", ConsulStandIn.Reply.emptyBody(11), "not a list of health entries"),
        Arguments.of("truncated JSON", ConsulStandIn.Reply.truncated(11, body), "not a list of health entries"),
        Arguments.of("HTML with 200", new ConsulStandIn.Reply(200,
            ConsulStandIn.Reply.htmlErrorPage(200).body(), ConsulStandIn.consulHeaders(11), null,
            Duration.ZERO), "body starts: <html>"),
        Arguments.of("HTML 502 from a proxy", ConsulStandIn.Reply.htmlErrorPage(502),
            "Consul answered 502 <html>"),
        Arguments.of("JSON null", new ConsulStandIn.Reply(200, "null",
            ConsulStandIn.consulHeaders(11), null, Duration.ZERO), "JSON null"),
        Arguments.of("JSON object", new ConsulStandIn.Reply(200, "{\"Node\":{}}",
            ConsulStandIn.consulHeaders(11), null, Duration.ZERO), "not a list of health entries"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenAnswers")
  void brokenAnswerKeepsTheLastList(String name, ConsulStandIn.Reply broken, String logged) {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    try (ConsulDiscovery discovery = consul.discovery().build()) {
      discovery.watch("orders", registry);
      awaitHeldQuery("orders", 2);
      int mark = LogCapture.mark();

      consul.script("orders", broken);
      consul.wake("orders");
      // 2 is answered unchanged by the wake; 3 gets the broken answer; 4 is a full read (the
      // failure reset the index); 5 blocks again.
      awaitHeldQuery("orders", 5);

      assertThat(consul.seen("orders")).extracting(ConsulStandIn.Seen::index)
          .containsExactly(null, "10", "10", null, "10");
      assertThat(registry.hosts("orders")).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
      assertThat(registry.updateCalls()).isEqualTo(1);
      assertThat(LogCapture.since(mark)).contains(logged).contains("keeping the last 3 nodes");
    }
  }

  @Test
  void aclRefusalIsLoggedAsAnAclProblemAndKeepsTheList() {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    try (ConsulDiscovery discovery = consul.discovery().token(ConsulStandIn.TOKEN).build()) {
      discovery.watch("orders", registry);
      awaitHeldQuery("orders", 2);
      int mark = LogCapture.mark();
      int before = consul.requests("orders");

      consul.failWith("orders", ConsulStandIn.Reply.aclNotFound());
      Await.until(TIMEOUT, () -> consul.requests("orders") >= before + 4, "several refusals");

      String log = LogCapture.since(mark);
      assertThat(log).contains("Consul refused the ACL token (403 ACL not found)")
          .contains("lacks service:read on 'orders'").contains("keeping the last 3 nodes")
          .doesNotContain(ConsulStandIn.TOKEN);
      assertThat(LogCapture.count(log, "refused the ACL token")).isEqualTo(1);
      assertThat(registry.hosts("orders")).hasSize(3);
      // The 403 carried X-Consul-Index: 0, which must never become the next index.
      assertThat(consul.seen("orders")).extracting(ConsulStandIn.Seen::index).doesNotContain("0");
    }
  }

  @Test
  void longPollLongerThanTheWaitIsNotCut() {
    // Consul adds up to wait/16 (125 ms for 2 s) of jitter; the read timeout leaves room for it.
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    consul.holdBeyondWait(Duration.ofMillis(100));
    int mark = LogCapture.mark();
    try (ConsulDiscovery discovery = consul.discovery().build()) {
      discovery.watch("orders", registry);
      awaitHeldQuery("orders", 2);
      Await.until(TIMEOUT, () -> consul.requests("orders") >= 3, "the held query answered after 2.1 s");
    }

    List<ConsulStandIn.Seen> seen = consul.seen("orders");
    assertThat(TimeUnit.NANOSECONDS.toMillis(seen.get(2).nanoTime() - seen.get(1).nanoTime()))
        .isGreaterThanOrEqualTo(2_100);
    assertThat(seen.get(2).index()).as("no failure, so no reset").isEqualTo("10");
    assertThat(LogCapture.since(mark)).doesNotContain("watch of service 'orders'");
    assertThat(ConsulDiscovery.builder().wait(Duration.ofSeconds(2)).readTimeout())
        .isEqualTo(Duration.ofMillis(2_000 + 125 + 10_000));
  }

  @Test
  void answerSlowerThanTheReadTimeoutIsAFailureAndKeepsTheList() {
    consul.setService("orders", 10, Fixtures.instances("orders", 3));
    // A read timeout (300 ms) shorter than the wait (1 s): every blocking query times out.
    RecordingTransport transport = new RecordingTransport(new EcwidTransport(consul.address(), null,
        Duration.ofSeconds(1), Duration.ofMillis(300), 4, null));
    int mark = LogCapture.mark();
    try (ConsulDiscovery discovery = consul.discovery().wait(Duration.ofSeconds(1)).build(transport)) {
      discovery.watch("orders", registry);
      Await.until(TIMEOUT, () -> transport.calls().stream().filter(c -> c.error() != null).count() >= 2,
          () -> "two timed-out queries (calls: " + transport.calls() + ")");
    }

    assertThat(transport.calls()).filteredOn(c -> c.error() != null)
        .allSatisfy(c -> assertThat(c.error()).isInstanceOf(java.net.SocketTimeoutException.class));
    assertThat(registry.hosts("orders")).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    assertThat(registry.updateCalls()).isEqualTo(1);
    assertThat(LogCapture.since(mark)).contains("no answer from Consul (SocketTimeoutException");
  }

  @Test
  void failureBeforeTheFirstAnswerLeavesTheServiceUnknownUntilConsulAnswers() {
    consul.failWith("orders", ConsulStandIn.Reply.noClusterLeader());
    int mark = LogCapture.mark();
    try (ConsulDiscovery discovery = consul.discovery().build()) {
      discovery.watch("orders", registry);
      Await.until(TIMEOUT, () -> consul.requests("orders") >= 3, "retries");
      assertThat(registry.nodes("orders")).isEmpty();
      assertThat(registry.updateCalls()).isZero();

      consul.setService("orders", 4, Fixtures.instances("orders", 2));
      consul.heal("orders");
      Await.until(TIMEOUT, () -> registry.nodes("orders").size() == 2, "the first list");
    }
    assertThat(LogCapture.since(mark)).contains("no nodes known yet");
    assertThat(registry.nodes("orders")).extracting(Node::host).containsExactly("10.0.0.1", "10.0.0.2");
  }
}
