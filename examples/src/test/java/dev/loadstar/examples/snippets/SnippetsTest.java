package dev.loadstar.examples.snippets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The snippets do what the README says they do, against backends on loopback. */
class SnippetsTest {
  private final List<HttpServer> servers = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    servers.forEach(s -> s.stop(0));
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void wrappedClientSendsServiceCallsToANodeAndKeepsTheOriginalsSettings() throws Exception {
    HttpServer backend = backend("node-a");
    LoadBalancer lb = closing(LoadBalancer.builder().build());
    lb.registry().update("orders",
        List.of(Node.of("127.0.0.1", backend.getAddress().getPort())));
    OkHttpClient existing = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(3)).build();

    OkHttpClient client = WrapAClient.wrap(existing, lb);

    assertThat(client.interceptors()).hasExactlyElementsOfTypes(LoadBalancingInterceptor.class);
    assertThat(existing.interceptors()).isEmpty();
    assertThat(client.readTimeoutMillis()).isEqualTo(3_000);
    assertThat(WrapAClient.order(client, "42")).isEqualTo("node-a /api/orders/42");
  }

  @Test
  void stickyClientSendsEachUserToOneNode() throws Exception {
    LoadBalancer lb = closing(StickyRoutingByHeader.balancer());
    List<Node> nodes = new ArrayList<>();
    for (String name : List.of("node-a", "node-b", "node-c")) {
      nodes.add(Node.builder().id(name).host("127.0.0.1")
          .port(backend(name).getAddress().getPort()).build());
    }
    lb.registry().update("carts", nodes);
    OkHttpClient client = StickyRoutingByHeader.client(lb);

    Map<String, Set<String>> nodesByUser = new HashMap<>();
    for (int round = 0; round < 3; round++) {
      for (int user = 0; user < 20; user++) {
        Request request = new Request.Builder().url("http://carts/cart")
            .header("X-User-Id", "user-" + user).build();
        try (Response response = client.newCall(request).execute()) {
          String node = response.body().string().split(" ")[0];
          nodesByUser.computeIfAbsent("user-" + user, u -> new HashSet<>()).add(node);
        }
      }
    }

    assertThat(nodesByUser).hasSize(20).allSatisfy((user, used) -> assertThat(used).hasSize(1));
    // Node ids are fixed, so placement is the same on every run: the 20 keys use 2 nodes or more.
    Set<String> used = new HashSet<>();
    nodesByUser.values().forEach(used::addAll);
    assertThat(used).hasSizeGreaterThan(1);
  }

  @Test
  void customBreakerSettingsAreTheOnesShown() throws Exception {
    ServiceConfig payments = CustomBreakerSettings.payments();

    CircuitBreakerConfig breaker = payments.circuitBreaker().orElseThrow();
    assertThat(breaker.getSlidingWindowType())
        .isEqualTo(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED);
    assertThat(breaker.getSlidingWindowSize()).isEqualTo(20);
    assertThat(breaker.getMinimumNumberOfCalls()).isEqualTo(10);
    assertThat(breaker.getFailureRateThreshold()).isEqualTo(30f);
    assertThat(breaker.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(30_000L);
    assertThat(breaker.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(5);
    assertThat(payments.maxEjectionShare()).isEqualTo(0.34);

    LoadBalancer lb = closing(CustomBreakerSettings.balancer(payments));
    assertThat(lb.hasService("payments")).isTrue();
  }

  /** A loopback server answering "{name} {path}". */
  private HttpServer backend(String name) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        byte[] body = (name + " " + exchange.getRequestURI().getPath()).getBytes(UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    server.start();
    servers.add(server);
    return server;
  }

  private <T extends AutoCloseable> T closing(T resource) {
    closing.add(resource);
    return resource;
  }
}
