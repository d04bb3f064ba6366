package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.call;
import static dev.loadstar.okhttp.Clients.get;
import static dev.loadstar.okhttp.Clients.inFlight;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Strategies;
import dev.loadstar.registry.NodeSnapshot;
import dev.loadstar.registry.NodeStats;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A membership update while a call is on a node does not break the call: the call completes on
 * the node it was sent to, and that node's in-flight count returns to 0 when it does.
 */
class MembershipChangeTest {
  private Backend a;
  private Backend b;
  private LoadBalancer lb;
  private OkHttpClient client;
  private final ExecutorService caller = Executors.newSingleThreadExecutor();

  @BeforeEach
  void setUp() throws Exception {
    a = Backend.start("a");
    b = Backend.start("b");
    lb = Clients.balancer(Strategies.roundRobin());
    lb.registry().update(SERVICE, List.of(a.node()));
    client = Clients.client(LoadBalancingInterceptor.create(lb));
  }

  @AfterEach
  void tearDown() {
    caller.shutdownNow();
    Clients.shutdown(client);
    a.close();
    b.close();
    lb.close();
  }

  @Test
  void removingTheNodeOfAWaitingCallLetsTheCallCompleteAndReleaseIt() throws Exception {
    NodeStats aStats = Clients.stats(lb, a);
    Backend.Gate gate = a.hold(r -> a.ok());
    Future<String> pending = caller.submit(() -> call(client, get("/slow")));
    gate.awaitArrival();
    assertThat(aStats.inFlight()).isEqualTo(1);

    lb.registry().update(SERVICE, List.of(b.node()));
    assertThat(lb.snapshot().get(0).nodes()).extracting(NodeSnapshot::id)
        .containsExactly(b.node().id());
    assertThat(aStats.inFlight()).as("still draining").isEqualTo(1);

    gate.release();
    assertThat(pending.get(Backend.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(aStats.inFlight()).isZero();
    assertThat(inFlight(lb)).isZero();
    // New calls go to the current membership only.
    assertThat(call(client, get("/next"))).isEqualTo("b");
    assertThat(a.requestCount()).isEqualTo(1);
  }

  @Test
  void removingTheNodeWhileItsBodyIsStreamingLetsTheBodyFinish() throws Exception {
    NodeStats aStats = Clients.stats(lb, a);
    Backend.Gate gate = new Backend.Gate();
    a.respond(new MockResponse.Builder().code(200)
        .body(new InFlightTest.PartialBody(10, "hello", gate)).build());

    try (Response response = client.newCall(get("/stream")).execute()) {
      BufferedSource source = response.body().source();
      assertThat(source.readUtf8(5)).isEqualTo("hello");
      gate.awaitArrival();

      lb.registry().update(SERVICE, List.of(b.node()));
      assertThat(aStats.inFlight()).isEqualTo(1);

      gate.release();
      assertThat(source.readUtf8()).isEqualTo("xxxxx");
      assertThat(aStats.inFlight()).isZero();
    }
    assertThat(aStats.inFlight()).isZero();
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void nodeRemovedAndAddedBackDuringACallKeepsCountingThatCall() throws Exception {
    NodeStats aStats = Clients.stats(lb, a);
    Backend.Gate gate = a.hold(r -> a.ok());
    Future<String> pending = caller.submit(() -> call(client, get("/slow")));
    gate.awaitArrival();

    lb.registry().update(SERVICE, List.of(b.node()));
    lb.registry().update(SERVICE, List.of(a.node(), b.node()));
    // The node came back with its live counters: the waiting call is still counted on it.
    assertThat(Clients.stats(lb, a)).isSameAs(aStats);
    assertThat(aStats.inFlight()).isEqualTo(1);

    gate.release();
    assertThat(pending.get(Backend.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(aStats.inFlight()).isZero();
    assertThat(inFlight(lb)).isZero();
  }
}
