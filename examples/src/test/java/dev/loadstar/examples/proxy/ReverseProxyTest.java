package dev.loadstar.examples.proxy;

import static java.net.http.HttpResponse.BodyHandlers.ofString;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.Node;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReverseProxyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Path config;
  private final List<EchoBackend> backends = new ArrayList<>();
  private ReverseProxy proxy;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final OkHttpClient okhttp = new OkHttpClient.Builder().callTimeout(TIMEOUT).build();

  @BeforeEach
  void startBackends() throws IOException {
    for (String name : List.of("b0", "b1", "b2")) {
      backends.add(new EchoBackend(name));
    }
    config = dir.resolve("services.json");
    ServicesFile.write(config, "orders", backends);
  }

  @AfterEach
  void closeEverything() {
    if (proxy != null) {
      proxy.close();
    }
    backends.forEach(EchoBackend::close);
    okhttp.dispatcher().executorService().shutdown();
    okhttp.connectionPool().evictAll();
  }

  @Test
  void forwardsGetWithPathQueryAndHeadersUntouched() throws Exception {
    startProxy(b -> b);
    String target = "/api/orders/42?expand=items&sort=-date&q=a%20b";

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(at(target))
        .header("X-Custom", "Value With Spaces; and=symbols")
        .header("Accept", "application/json")
        .timeout(TIMEOUT)
        .build(), ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    Echo echo = echo(response);
    assertThat(echo.method()).isEqualTo("GET");
    assertThat(echo.target()).isEqualTo(target);
    assertThat(echo.header("x-custom")).isEqualTo("Value With Spaces; and=symbols");
    assertThat(echo.header("accept")).isEqualTo("application/json");
    assertThat(echo.header("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(echo.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(echo.header("x-forwarded-host")).isEqualTo("127.0.0.1:" + proxy.address().getPort());
    assertThat(echo.header("host")).isEqualTo("127.0.0.1:" + backend(echo.backend()).port());
    // The JDK client asks to upgrade to h2c on the first request; that is between it and us.
    assertThat(echo.headers()).doesNotContainKeys("upgrade", "http2-settings");
    assertThat(echo.body()).isEmpty();

    assertThat(response.headers().firstValue("X-Reply")).hasValue("end-to-end");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(response.headers().map()).doesNotContainKeys("keep-alive", "x-reply-hop");
  }

  @Test
  void appendsClientAddressToAnExistingForwardedForChain() throws Exception {
    startProxy(b -> b);

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(at("/"))
        .header("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
        .timeout(TIMEOUT)
        .build(), ofString());

    assertThat(echo(response).header("x-forwarded-for"))
        .isEqualTo("203.0.113.9, 198.51.100.7, 127.0.0.1");
  }

  @Test
  void forwardsPostBodyAndRelaysStatusAndHeaders() throws Exception {
    startProxy(b -> b);
    String body = IntStream.range(0, 20_000)
        .mapToObj(i -> "{\"line\": " + i + "}\n")
        .collect(Collectors.joining());

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(at("/api/orders"))
        .header("Content-Type", "application/x-ndjson; charset=utf-8")
        .header("X-Reply-Status", "201")
        .POST(BodyPublishers.ofString(body))
        .timeout(TIMEOUT)
        .build(), ofString());

    assertThat(response.statusCode()).isEqualTo(201);
    Echo echo = echo(response);
    assertThat(echo.method()).isEqualTo("POST");
    assertThat(echo.target()).isEqualTo("/api/orders");
    assertThat(echo.header("content-type")).isEqualTo("application/x-ndjson; charset=utf-8");
    assertThat(echo.header("content-length")).isEqualTo(Integer.toString(body.length()));
    assertThat(echo.body()).isEqualTo(body);
    assertThat(response.headers().firstValue("X-Reply")).hasValue("end-to-end");
  }

  @Test
  void streamsAChunkedRequestBody() throws Exception {
    startProxy(b -> b);
    byte[] body = "part one, part two, part three".repeat(1_000).getBytes(UTF_8);

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(at("/upload"))
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
        .timeout(TIMEOUT)
        .build(), ofString());

    Echo echo = echo(response);
    assertThat(echo.header("transfer-encoding")).isEqualTo("chunked");
    assertThat(echo.body()).isEqualTo(new String(body, UTF_8));
  }

  @Test
  void forwardsPutFromOkHttpWithoutHopByHopFields() throws Exception {
    startProxy(b -> b);
    Request request = new Request.Builder()
        .url(at("/api/orders/7").toString())
        .put(RequestBody.create("{\"state\": \"paid\"}", MediaType.get("application/json")))
        .header("X-Custom", "okhttp")
        .header("Connection", "keep-alive, X-Hop")
        .header("X-Hop", "listed in Connection")
        .header("Keep-Alive", "timeout=5")
        .header("Proxy-Authorization", "Basic Zm9vOmJhcg==")
        .header("TE", "trailers")
        .build();

    try (Response response = okhttp.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
      Echo echo = Echo.parse(response.header("X-Backend"), response.body().string());
      assertThat(echo.method()).isEqualTo("PUT");
      assertThat(echo.target()).isEqualTo("/api/orders/7");
      assertThat(echo.body()).isEqualTo("{\"state\": \"paid\"}");
      assertThat(echo.header("content-type")).isEqualTo("application/json; charset=utf-8");
      assertThat(echo.header("x-custom")).isEqualTo("okhttp");
      assertThat(echo.header("x-forwarded-for")).isEqualTo("127.0.0.1");
      assertThat(echo.headers())
          .doesNotContainKeys("x-hop", "keep-alive", "proxy-authorization", "te");
      assertThat(response.header("X-Reply")).isEqualTo("end-to-end");
      assertThat(response.header("Keep-Alive")).isNull();
      assertThat(response.header("X-Reply-Hop")).isNull();
    }
  }

  @Test
  void relaysAnswersWithoutBody() throws Exception {
    startProxy(b -> b);

    Request head = new Request.Builder().url(at("/api/orders/7").toString()).head().build();
    try (Response response = okhttp.newCall(head).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("X-Backend")).isNotNull();
      assertThat(Long.parseLong(response.header("Content-Length"))).isPositive();
      assertThat(response.body().bytes()).isEmpty();
    }
    Request delete = new Request.Builder().url(at("/api/orders/7").toString()).delete()
        .header("X-Reply-Status", "204").build();
    try (Response response = okhttp.newCall(delete).execute()) {
      assertThat(response.code()).isEqualTo(204);
      assertThat(response.body().bytes()).isEmpty();
    }
  }

  @Test
  void spreadsRequestsOverEveryBackend() throws Exception {
    // One worker, so one round-robin cursor: an exact rotation.
    startProxy(b -> b.threads(1));

    assertThat(backendsOf(30))
        .containsExactlyInAnyOrderEntriesOf(Map.of("b0", 10L, "b1", 10L, "b2", 10L));
  }

  @Test
  void removedBackendGetsNoTrafficAfterReload() throws Exception {
    startProxy(b -> b.threads(1));
    assertThat(backendsOf(6)).containsKeys("b0", "b1", "b2");

    ServicesFile.write(config, "orders", List.of(backends.get(0), backends.get(2)));
    proxy.reload();

    assertThat(proxy.loadBalancer().registry().nodes("orders")).extracting(Node::id)
        .containsExactlyInAnyOrder("b0", "b2");
    assertThat(backendsOf(20)).containsExactlyInAnyOrderEntriesOf(Map.of("b0", 10L, "b2", 10L));
  }

  @Test
  void removedBackendGetsNoTrafficOnceTheWatcherSeesTheFile() throws Exception {
    startProxy(b -> b.pollInterval(Duration.ofMillis(50)));
    CountDownLatch removed = new CountDownLatch(1);
    try (AutoCloseable listener = proxy.loadBalancer().registry().addListener(change -> {
      if (change.removed().stream().anyMatch(n -> n.id().equals("b1"))) {
        removed.countDown();
      }
    })) {
      ServicesFile.write(config, "orders", List.of(backends.get(0), backends.get(2)));

      assertThat(removed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
    assertThat(backendsOf(20)).containsOnlyKeys("b0", "b2");
  }

  @Test
  void stoppedBackendIsSkippedAndGetsStillSucceed() throws Exception {
    startProxy(b -> b.threads(1));
    assertThat(backendsOf(6)).containsKeys("b0", "b1", "b2");

    backends.get(1).close();

    // backendsOf fails on any status but 200: every GET found a live node, on retry if need be.
    assertThat(backendsOf(30)).containsOnlyKeys("b0", "b2");
  }

  @Test
  void answers503NamingTheServiceWhenItHasNoNodes() throws Exception {
    startProxy(b -> b);
    ServicesFile.write(config, "orders", Map.of());
    proxy.reload();

    HttpResponse<String> response = get("/api/orders/42");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("no available node", "'orders'");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
  }

  @Test
  void answers502WhenTheNodesDoNotAnswer() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    ServicesFile.write(config, "orders", Map.of("gone", closedPort));
    startProxy(b -> b);

    HttpResponse<String> response = get("/api/orders/42");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("'orders'");
  }

  @Test
  void refusesToStartForAServiceTheFileDoesNotHave() {
    assertThatThrownBy(() -> startProxy(b -> b.service("payments")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'payments'")
        .hasMessageContaining("orders");
  }

  private void startProxy(UnaryOperator<ReverseProxy.Builder> custom) throws IOException {
    proxy = custom.apply(ReverseProxy.builder()
            .configFile(config)
            .service("orders")
            .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .shutdownGrace(Duration.ofSeconds(1)))
        .start();
  }

  private URI at(String target) {
    return proxy.uri().resolve(target);
  }

  private HttpResponse<String> get(String target) throws Exception {
    return http.send(HttpRequest.newBuilder(at(target)).timeout(TIMEOUT).build(), ofString());
  }

  /** Sends {@code n} GETs one after another; which backend answered, and how often. */
  private Map<String, Long> backendsOf(int n) throws Exception {
    List<String> answered = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> response = get("/spread/" + i);
      assertThat(response.statusCode()).as("GET /spread/%d: %s", i, response.body()).isEqualTo(200);
      answered.add(echo(response).backend());
    }
    return answered.stream().collect(groupingBy(name -> name, counting()));
  }

  private EchoBackend backend(String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  private static Echo echo(HttpResponse<String> response) {
    return Echo.parse(response.headers().firstValue("X-Backend").orElseThrow(), response.body());
  }
}
