package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.TEXT;
import static dev.loadstar.okhttp.Clients.call;
import static dev.loadstar.okhttp.Clients.get;
import static dev.loadstar.okhttp.Clients.inFlight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.LoadBalancer;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where a call goes: to a node of a known service, untouched to any other host, or nowhere. */
class RoutingTest {
  private final List<Backend> backends = new ArrayList<>();
  private LoadBalancer lb;
  private OkHttpClient client;

  @BeforeEach
  void setUp() throws Exception {
    backends.addAll(Backend.start(2));
    lb = Clients.balancer(Strategies.roundRobin());
    lb.registry().update(SERVICE, backends.stream().map(Backend::node).toList());
    client = Clients.client(LoadBalancingInterceptor.create(lb));
  }

  @AfterEach
  void tearDown() {
    Clients.shutdown(client);
    backends.forEach(Backend::close);
    lb.close();
  }

  @Test
  void pathQueryHeadersAndBodyReachTheNodeUntouched() throws Exception {
    Request request = new Request.Builder()
        .url("http://orders/api/v1/orders/42?expand=items&q=a%20b&empty=")
        .header("X-Trace-Id", "trace-7")
        .addHeader("X-Multi", "one")
        .addHeader("X-Multi", "two")
        .put(RequestBody.create("{\"qty\":3}", TEXT))
        .build();

    assertThat(call(client, request)).isIn("s0", "s1");

    RecordedRequest got = backends.stream().filter(b -> b.requestCount() == 1).findFirst()
        .orElseThrow().received().get(0);
    assertThat(got.getMethod()).isEqualTo("PUT");
    assertThat(got.getTarget()).isEqualTo("/api/v1/orders/42?expand=items&q=a%20b&empty=");
    assertThat(got.getHeaders().get("X-Trace-Id")).isEqualTo("trace-7");
    assertThat(got.getHeaders().values("X-Multi")).containsExactly("one", "two");
    assertThat(got.getHeaders().get("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(got.getBody().utf8()).isEqualTo("{\"qty\":3}");
    assertThat(backends.get(0).requestCount() + backends.get(1).requestCount()).isEqualTo(1);
  }

  @Test
  void roundRobinAlternatesNodesOverKeepAliveConnections() throws Exception {
    List<String> answeredBy = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      answeredBy.add(call(client, get("/item/" + i)));
    }

    // Whichever node the cursor starts at, each call goes to the other node than the last.
    for (int i = 1; i < answeredBy.size(); i++) {
      assertThat(answeredBy.get(i)).as("call %d", i).isNotEqualTo(answeredBy.get(i - 1));
    }
    for (Backend b : backends) {
      // One connection per node, reused for every call: exchanges 0..4 on connection 0.
      assertThat(b.received()).extracting(RecordedRequest::getConnectionIndex)
          .containsOnly(0);
      assertThat(b.received()).extracting(RecordedRequest::getExchangeIndex)
          .containsExactly(0, 1, 2, 3, 4);
    }
    assertThat(client.connectionPool().connectionCount()).isEqualTo(2);
  }

  @Test
  void httpCallIsRewrittenToTheNodeHostAndPort() throws Exception {
    Request request = new Request.Builder().url("http://orders/api/42?x=1#frag").build();

    try (Response response = client.newCall(request).execute()) {
      Backend served = backends.get(0).requestCount() == 1 ? backends.get(0) : backends.get(1);
      assertThat(response.request().url()).isEqualTo(served.url("/api/42?x=1#frag"));
      RecordedRequest got = served.takeRequest();
      assertThat(got.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + served.port());
      assertThat(got.getTarget()).isEqualTo("/api/42?x=1");
    }
  }

  @Test
  void keepingTheServiceHostSendsItAsHostAndStillPoolsPerNode() throws Exception {
    OkHttpClient keeping = Clients.client(
        LoadBalancingInterceptor.builder(lb).keepServiceHost(true).build());
    try {
      List<String> answeredBy = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        try (Response response = keeping.newCall(get("/item/" + i + "?q=a%20b")).execute()) {
          assertThat(response.request().url().toString())
              .isEqualTo("http://orders/item/" + i + "?q=a%20b");
          answeredBy.add(response.body().string());
        }
      }

      for (int i = 1; i < answeredBy.size(); i++) {
        assertThat(answeredBy.get(i)).as("call %d", i).isNotEqualTo(answeredBy.get(i - 1));
      }
      for (Backend b : backends) {
        assertThat(b.received()).extracting(r -> r.getHeaders().get("Host"))
            .containsOnly(SERVICE);
        assertThat(b.received()).extracting(RecordedRequest::getConnectionIndex).containsOnly(0);
        assertThat(b.received()).extracting(RecordedRequest::getExchangeIndex)
            .containsExactly(0, 1, 2);
      }
      assertThat(keeping.connectionPool().connectionCount()).isEqualTo(2);
      assertThat(inFlight(lb)).isZero();
    } finally {
      Clients.shutdown(keeping);
    }
  }

  @Test
  void keepingTheServiceHostRetriesARefusedNodeElsewhere() throws Exception {
    lb.registry().update(SERVICE, List.of(
        Node.of("127.0.0.1", Backend.refusedPort()), backends.get(0).node()));
    OkHttpClient keeping = Clients.client(
        LoadBalancingInterceptor.builder(lb).keepServiceHost(true).build());
    try {
      for (int i = 0; i < 4; i++) {
        assertThat(call(keeping, get("/a"))).isEqualTo(backends.get(0).name());
      }
      assertThat(backends.get(0).requestCount()).isEqualTo(4);
    } finally {
      Clients.shutdown(keeping);
    }
  }

  @Test
  void keepingTheServiceHostFollowsARedirectToAnotherHostThere() throws Exception {
    try (Backend elsewhere = Backend.start("elsewhere")) {
      backends.forEach(b -> b.respond(new MockResponse.Builder().code(302)
          .addHeader("Location", elsewhere.url("/landed").toString()).build()));
      OkHttpClient keeping = Clients.client(
          LoadBalancingInterceptor.builder(lb).keepServiceHost(true).build());
      try {
        assertThat(call(keeping, get("/start"))).isEqualTo("elsewhere");
        assertThat(elsewhere.takeRequest().getTarget()).isEqualTo("/landed");
        assertThat(backends.get(0).requestCount() + backends.get(1).requestCount()).isEqualTo(1);
      } finally {
        Clients.shutdown(keeping);
      }
    }
  }

  @Test
  void keepingTheServiceHostGoesStraightToTheNodeNotThroughTheClientsProxy() throws Exception {
    try (Backend proxy = Backend.start("proxy")) {
      OkHttpClient keeping = Clients.builder(
              LoadBalancingInterceptor.builder(lb).keepServiceHost(true).build())
          .proxy(new Proxy(Proxy.Type.HTTP,
              new InetSocketAddress("127.0.0.1", proxy.port())))
          .build();
      try {
        assertThat(call(keeping, get("/a"))).isIn("s0", "s1");
        assertThat(proxy.requestCount()).isZero();
      } finally {
        Clients.shutdown(keeping);
      }
    }
  }

  @Test
  void keepingTheServiceHostResolvesANodeNameWithTheClientsDns() throws Exception {
    Backend b0 = backends.get(0);
    lb.registry().update(SERVICE, List.of(Node.of("node-a.test", b0.port())));
    List<String> asked = new CopyOnWriteArrayList<>();
    Dns clientDns = hostname -> {
      asked.add(hostname);
      if (hostname.equals("node-a.test")) {
        return List.of(InetAddress.getByName("127.0.0.1"));
      }
      throw new UnknownHostException(hostname);
    };
    OkHttpClient keeping = Clients.builder(
            LoadBalancingInterceptor.builder(lb).keepServiceHost(true).build())
        .dns(clientDns).build();
    try {
      assertThat(call(keeping, get("/a"))).isEqualTo(b0.name());
      assertThat(asked).containsExactly("node-a.test");
      assertThat(b0.takeRequest().getHeaders().get("Host")).isEqualTo(SERVICE);
    } finally {
      Clients.shutdown(keeping);
    }
  }

  @Test
  void aRefusedConnectionNamesTheNodeNotTheServicePort() throws Exception {
    int refused = Backend.refusedPort();
    lb.registry().update(SERVICE, List.of(Node.of("127.0.0.1", refused)));
    OkHttpClient keeping = Clients.client(
        LoadBalancingInterceptor.builder(lb).keepServiceHost(true).maxAttempts(1).build());
    try {
      assertThatThrownBy(() -> call(keeping, get("/a")))
          .isInstanceOf(ConnectException.class)
          .hasStackTraceContaining("node 127.0.0.1:" + refused + " of orders");
    } finally {
      Clients.shutdown(keeping);
    }
  }

  @Test
  void callsToOtherHostsPassThroughUntouched() throws Exception {
    try (Backend other = Backend.start("other")) {
      other.respond(Backend.status(503));
      Request request = new Request.Builder().url(other.url("/direct?x=1"))
          .header("X-Trace-Id", "t").build();

      try (Response response = client.newCall(request).execute()) {
        // A 503 from a host the balancer does not know is not retried anywhere else.
        assertThat(response.code()).isEqualTo(503);
      }

      RecordedRequest got = other.takeRequest();
      assertThat(got.getTarget()).isEqualTo("/direct?x=1");
      assertThat(got.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + other.port());
      assertThat(got.getHeaders().get("X-Trace-Id")).isEqualTo("t");
      assertThat(other.requestCount()).isEqualTo(1);
      assertThat(backends).allSatisfy(b -> assertThat(b.requestCount()).isZero());
      assertThat(inFlight(lb)).isZero();
    }
  }

  @Test
  void failsWithNoAvailableNodeNamingTheServiceWhenItHasNoNodes() {
    lb.registry().update(SERVICE, List.of());

    assertThatThrownBy(() -> call(client, get("/api")))
        .isInstanceOfSatisfying(NoAvailableNodeException.class,
            e -> assertThat(e.service()).isEqualTo(SERVICE))
        .hasMessageContaining("'orders'");
    assertThat(backends).allSatisfy(b -> assertThat(b.requestCount()).isZero());
  }

  @Test
  void registeringAsNetworkInterceptorFailsNamingAddInterceptor() throws Exception {
    OkHttpClient network = new OkHttpClient.Builder()
        .addNetworkInterceptor(LoadBalancingInterceptor.create(lb))
        .callTimeout(Duration.ofSeconds(15))
        .build();
    try {
      // A network interceptor runs only once connected, so the call must reach a real server.
      Request request = new Request.Builder().url(backends.get(0).url("/")).build();

      assertThatThrownBy(() -> network.newCall(request).execute())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("network interceptor")
          .hasMessageContaining("addInterceptor");
    } finally {
      Clients.shutdown(network);
    }
  }

  @Test
  void rejectsMaxAttemptsBelowOneNamingTheValue() {
    assertThatThrownBy(() -> LoadBalancingInterceptor.builder(lb).maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts: 0 (expected: > 0)");
  }
}
