package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.registry.NodeSnapshot;
import dev.loadstar.registry.ServiceRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outcomes reported by the interceptor drive each node's circuit breaker (default: 5 failures
 * eject a node for 10 s, then 3 trial calls). The balancer runs on a fake clock and the test runs
 * the health tick itself, so ejection and return happen at exact points.
 */
class BreakerEjectionTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Backend> backends = new ArrayList<>();
  private LoadBalancer lb;
  private OkHttpClient client;

  @BeforeEach
  void setUp() throws Exception {
    backends.addAll(Backend.start(3));
    lb = LoadBalancer.builder()
        .defaultStrategy(Strategies.roundRobin())
        .service(SERVICE, ServiceConfig.builder().slowStartWindow(Duration.ZERO).build())
        .nanoTime(nanos::get)
        .random(new Random(42))
        .healthInterval(Duration.ofHours(1))
        .build();
    client = Clients.client(LoadBalancingInterceptor.create(lb));
  }

  @AfterEach
  void tearDown() {
    Clients.shutdown(client);
    backends.forEach(Backend::close);
    lb.close();
  }

  private void useBackends() {
    lb.registry().update(SERVICE, backends.stream().map(Backend::node).toList());
  }

  /** Sends {@code calls} GETs; returns how many the caller saw fail (an exception or non-200). */
  private int send(int calls) {
    int failed = 0;
    for (int i = 0; i < calls; i++) {
      try (Response response = client.newCall(get("/b/" + i)).execute()) {
        failed += response.code() == 200 ? 0 : 1;
      } catch (IOException e) {
        failed++;
      }
    }
    return failed;
  }

  private NodeSnapshot snapshotOf(Node node) {
    return lb.snapshot().get(0).nodes().stream().filter(n -> n.id().equals(node.id()))
        .findFirst().orElseThrow();
  }

  @Test
  void breakerEjectsAFailingServerAndTrafficGoesToTheOthers() {
    useBackends();
    Backend failing = backends.get(2);
    failing.respond(Backend.status(503));

    // Every third pick lands on the failing server until its fifth 503 ejects it; each 503 on a
    // GET is retried on a healthy server, so the caller never sees one.
    assertThat(send(30)).isZero();
    assertThat(failing.requestCount()).isEqualTo(5);
    NodeSnapshot ejected = snapshotOf(failing.node());
    assertThat(ejected.ejected()).isTrue();
    assertThat(ejected.breakerState()).isEqualTo("OPEN");

    assertThat(send(30)).isZero();
    assertThat(failing.requestCount()).as("no call reaches an ejected server").isEqualTo(5);
    assertThat(backends.get(0).requestCount() + backends.get(1).requestCount()).isEqualTo(60);
  }

  @Test
  void ejectedServerReturnsAfterItsWaitWhenItRecovered() {
    useBackends();
    Backend failing = backends.get(2);
    failing.respond(Backend.status(500));
    send(30);
    assertThat(snapshotOf(failing.node()).ejected()).isTrue();
    int before = failing.requestCount();

    failing.respond(r -> failing.ok());
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    ((ServiceRegistry) lb.registry()).tick();

    assertThat(send(30)).isZero();
    assertThat(failing.requestCount() - before).as("calls to the recovered server")
        .isGreaterThanOrEqualTo(9);
    assertThat(snapshotOf(failing.node()).breakerState()).isEqualTo("CLOSED");
  }

  @Test
  void refusingServerIsEjectedWithoutTheCallerSeeingAFailure() throws Exception {
    Node refusing = Node.of("127.0.0.1", Backend.refusedPort());
    List<Node> nodes = new ArrayList<>(backends.stream().map(Backend::node).toList());
    nodes.add(refusing);
    lb.registry().update(SERVICE, nodes);

    assertThat(send(40)).isZero();
    assertThat(snapshotOf(refusing).ejected()).isTrue();
    assertThat(backends.stream().mapToInt(Backend::requestCount).sum()).isEqualTo(40);
  }

  @Test
  void whenEveryServerFailsPanicKeepsSendingToThemRatherThanFailingFast() {
    useBackends();
    backends.forEach(b -> b.respond(Backend.status(500)));

    // Every node ejected is below the 50% panic threshold: picks go to all nodes again, so
    // callers get the servers' answers rather than NoAvailableNodeException.
    int failed = send(30);

    assertThat(failed).isEqualTo(30);
    assertThat(lb.snapshot().get(0).panic()).isTrue();
    assertThat(backends.stream().mapToInt(Backend::requestCount).sum()).isEqualTo(30);
  }
}
