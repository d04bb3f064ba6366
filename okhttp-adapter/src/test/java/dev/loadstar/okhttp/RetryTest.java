package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.TEXT;
import static dev.loadstar.okhttp.Clients.call;
import static dev.loadstar.okhttp.Clients.get;
import static dev.loadstar.okhttp.Clients.inFlight;
import static dev.loadstar.okhttp.Clients.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries go to another node, only when safe: a refused connection for any method; a 502/503/504
 * or an I/O failure only for idempotent methods with a replayable body; never past the attempt
 * limit or the client-wide retry budget.
 */
class RetryTest {
  private final List<Backend> backends = new ArrayList<>();
  private LoadBalancer lb;
  private OkHttpClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      Clients.shutdown(client);
    }
    backends.forEach(Backend::close);
    if (lb != null) {
      lb.close();
    }
  }

  /** Gives the service {@code nodes}, and builds the client with {@code interceptor}. */
  private void setUp(List<Node> nodes, LoadBalancingInterceptor.Builder interceptor) {
    client = Clients.client(interceptor.build());
    lb.registry().update(SERVICE, nodes);
  }

  private List<Node> startBackends(int count) throws IOException {
    backends.addAll(Backend.start(count));
    return new ArrayList<>(backends.stream().map(Backend::node).toList());
  }

  private int totalRequests() {
    return backends.stream().mapToInt(Backend::requestCount).sum();
  }

  /** The first request to reach any backend gets {@code first}; every other gets 200. */
  private void firstRequestAnywhereGets(MockResponse first) {
    AtomicBoolean pending = new AtomicBoolean(true);
    for (Backend b : backends) {
      b.respond(r -> pending.compareAndSet(true, false) ? first : b.ok());
    }
  }

  @Test
  void refusedConnectionIsRetriedOnAnotherNodeWithNoFailureSeenByTheCaller() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    List<Node> nodes = startBackends(2);
    nodes.add(0, Node.of("127.0.0.1", Backend.refusedPort()));
    setUp(nodes, LoadBalancingInterceptor.builder(lb));

    int failures = 0;
    for (int i = 0; i < 30; i++) {
      // POSTs too: a refused connect sent nothing, so any method may go elsewhere.
      Request request = i % 2 == 0 ? get("/a/" + i) : post("/a/" + i, "body " + i);
      try (Response response = client.newCall(request).execute()) {
        if (response.code() != 200) {
          failures++;
        }
      } catch (IOException e) {
        failures++;
      }
    }

    assertThat(failures).isZero();
    assertThat(totalRequests()).as("each call served exactly once").isEqualTo(30);
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void postWhoseConnectionDropsAfterTheBodyWasSentIsNotRetried() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(startBackends(2), LoadBalancingInterceptor.builder(lb));
    // The server reads the whole request, then closes the connection instead of answering.
    firstRequestAnywhereGets(new MockResponse.Builder()
        .onResponseStart(new SocketEffect.CloseSocket()).build());

    assertThatThrownBy(() -> call(client, post("/pay", "amount=10")))
        .isInstanceOf(IOException.class);

    assertThat(totalRequests()).as("the server saw the POST once").isEqualTo(1);
    Backend reached = backends.stream().filter(b -> b.requestCount() == 1).findFirst().orElseThrow();
    assertThat(reached.received().get(0).getBody().utf8()).isEqualTo("amount=10");
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void postWhoseConnectionDropsIsNotResentOnAPooledConnectionEither() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(startBackends(1), LoadBalancingInterceptor.builder(lb));
    assertThat(call(client, get("/warm"))).isEqualTo("s0");
    // The pooled connection now carries the POST; OkHttp's own silent retry would resend it.
    backends.get(0).respond(new MockResponse.Builder()
        .onResponseStart(new SocketEffect.CloseSocket()).build());

    assertThatThrownBy(() -> call(client, post("/pay", "amount=10")))
        .isInstanceOf(IOException.class);

    assertThat(totalRequests()).isEqualTo(2);
    assertThat(backends.get(0).received().get(1).getMethod()).isEqualTo("POST");
  }

  @Test
  void serviceUnavailableOnGetIsRetriedOnAnotherNode() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(startBackends(2), LoadBalancingInterceptor.builder(lb));
    firstRequestAnywhereGets(Backend.status(503));

    String body = call(client, get("/a"));

    Backend first = backends.get(body.equals("s0") ? 1 : 0);
    assertThat(first.requestCount()).as("the node that answered 503").isEqualTo(1);
    assertThat(backends).allSatisfy(b -> assertThat(b.requestCount()).isEqualTo(1));
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void gatewayErrorsOnIdempotentMethodsAreRetried() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(startBackends(2), LoadBalancingInterceptor.builder(lb));
    for (int code : new int[] {502, 504}) {
      firstRequestAnywhereGets(Backend.status(code));
      Request put = new Request.Builder().url("http://orders/a")
          .put(RequestBody.create("v", TEXT)).build();

      try (Response response = client.newCall(put).execute()) {
        assertThat(response.code()).as("after a %d", code).isEqualTo(200);
      }
    }
    assertThat(totalRequests()).isEqualTo(4);
  }

  @Test
  void serviceUnavailableOnPostIsReturnedToTheCaller() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(startBackends(2), LoadBalancingInterceptor.builder(lb));
    firstRequestAnywhereGets(Backend.status(503));

    try (Response response = client.newCall(post("/orders", "x")).execute()) {
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.body().string()).isEqualTo("status 503");
    }
    assertThat(totalRequests()).isEqualTo(1);
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void putWithOneShotBodyIsNotRetried() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(startBackends(2), LoadBalancingInterceptor.builder(lb));
    firstRequestAnywhereGets(Backend.status(503));
    Request put = new Request.Builder().url("http://orders/a").put(new OneShotBody("v")).build();

    try (Response response = client.newCall(put).execute()) {
      assertThat(response.code()).isEqualTo(503);
    }
    assertThat(totalRequests()).isEqualTo(1);
  }

  @Test
  void whenEveryNodeAnswers503TheLastResponseIsReturnedAfterTryingEachOnce() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin(),
        ServiceConfig.builder().slowStartWindow(Duration.ZERO).noEjection().build());
    setUp(startBackends(3), LoadBalancingInterceptor.builder(lb).maxAttempts(5));
    backends.forEach(b -> b.respond(Backend.status(503)));

    try (Response response = client.newCall(get("/a")).execute()) {
      assertThat(response.code()).isEqualTo(503);
    }
    // Three nodes, five attempts allowed: each node once, then no untried node is left.
    assertThat(backends).allSatisfy(b -> assertThat(b.requestCount()).isEqualTo(1));
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void maxAttemptsOfOneTurnsRetriesOff() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(startBackends(2), LoadBalancingInterceptor.builder(lb).maxAttempts(1));
    firstRequestAnywhereGets(Backend.status(503));

    try (Response response = client.newCall(get("/a")).execute()) {
      assertThat(response.code()).isEqualTo(503);
    }
    assertThat(totalRequests()).isEqualTo(1);
  }

  @Test
  void retryBudgetCapsRetriesDuringATotalOutage() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin(),
        ServiceConfig.builder().slowStartWindow(Duration.ZERO).noEjection().build());
    // Time stands still, so the budget is its starting 10 (minPerSecond) plus 0.2 per call.
    AtomicLong frozen = new AtomicLong();
    RetryBudget budget = new RetryBudget(0.2, 10, 100, frozen::get);
    setUp(startBackends(3), LoadBalancingInterceptor.builder(lb).retryBudget(budget));
    backends.forEach(b -> b.respond(Backend.status(503)));

    int calls = 50;
    for (int i = 0; i < calls; i++) {
      try (Response response = client.newCall(get("/a")).execute()) {
        assertThat(response.code()).isEqualTo(503);
      }
    }

    // Without a budget: 50 calls × 3 attempts = 150 requests. With it: 50 + 10 + 0.2 × 50.
    int retries = totalRequests() - calls;
    assertThat(retries).isPositive().isLessThanOrEqualTo(10 + calls / 5);
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void callWithNoOtherNodeToTryDoesNotSpendTheSharedRetryBudget() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin(),
        ServiceConfig.builder().slowStartWindow(Duration.ZERO).noEjection().build());
    // One retry in the budget and time frozen: it goes to whichever call retries first.
    AtomicLong frozen = new AtomicLong();
    RetryBudget budget = new RetryBudget(0.0, 1, 1, frozen::get);
    setUp(startBackends(2), LoadBalancingInterceptor.builder(lb).retryBudget(budget));
    try (Backend solo = Backend.start("solo")) {
      solo.respond(Backend.status(503));
      lb.registry().update("solo", List.of(solo.node()));
      for (int i = 0; i < 3; i++) {
        try (Response response = client.newCall(
            new Request.Builder().url("http://solo/a").build()).execute()) {
          assertThat(response.code()).isEqualTo(503);
        }
      }
      assertThat(solo.requestCount()).as("a single node: nothing to retry on").isEqualTo(3);
    }

    // The one retry is still there for a service that has another node to go to.
    firstRequestAnywhereGets(Backend.status(503));
    try (Response response = client.newCall(get("/a")).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(totalRequests()).isEqualTo(2);
  }

  @Test
  void refusedConnectionsOnEveryNodeFailTheCallAfterTryingEachOnce() throws Exception {
    lb = Clients.balancer(Strategies.roundRobin());
    setUp(List.of(Node.of("127.0.0.1", Backend.refusedPort()),
        Node.of("127.0.0.1", Backend.refusedPort())), LoadBalancingInterceptor.builder(lb));

    assertThatThrownBy(() -> call(client, post("/a", "x")))
        .isInstanceOf(java.net.ConnectException.class);
    assertThat(inFlight(lb)).isZero();
    assertThat(lb.snapshot().get(0).nodes()).allSatisfy(n -> assertThat(n.inFlight()).isZero());
  }

  /** A body that can be written once: a stream being uploaded. */
  private static final class OneShotBody extends RequestBody {
    private final String content;

    OneShotBody(String content) {
      this.content = content;
    }

    @Override
    public MediaType contentType() {
      return TEXT;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.writeUtf8(content);
    }

    @Override
    public boolean isOneShot() {
      return true;
    }
  }
}
