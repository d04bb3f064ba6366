package dev.loadstar.examples.proxy;

import static java.net.http.HttpResponse.BodyHandlers.ofString;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReverseProxyConcurrencyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int REQUESTS = 200;

  @TempDir Path dir;
  private final List<EchoBackend> backends = new ArrayList<>();
  private ReverseProxy proxy;

  @BeforeEach
  void start() throws IOException {
    for (String name : List.of("b0", "b1", "b2")) {
      backends.add(new EchoBackend(name));
    }
    Path config = dir.resolve("services.json");
    ServicesFile.write(config, "orders", backends);
    proxy = ReverseProxy.builder()
        .configFile(config)
        .service("orders")
        .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .threads(8)
        .shutdownGrace(Duration.ofSeconds(1))
        .start();
  }

  @AfterEach
  void close() {
    proxy.close();
    backends.forEach(EchoBackend::close);
  }

  @Test
  void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(proxy.uri().resolve("/items/" + i))
          .header("X-Request-Id", "r" + i)
          .POST(BodyPublishers.ofString("body of " + i))
          .timeout(TIMEOUT)
          .build(), ofString()));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    List<Echo> echoes = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<String> response = calls.get(i).join();
      assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
      Echo echo = Echo.parse(response.headers().firstValue("X-Backend").orElseThrow(),
          response.body());
      assertThat(echo.target()).isEqualTo("/items/" + i);
      assertThat(echo.header("x-request-id")).isEqualTo("r" + i);
      assertThat(echo.body()).isEqualTo("body of " + i);
      echoes.add(echo);
    }
    Set<String> used = echoes.stream().map(Echo::backend).collect(Collectors.toSet());
    assertThat(used).containsExactlyInAnyOrder("b0", "b1", "b2");
  }
}
