package dev.loadstar.consul;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP layer over consul-api: timeouts, headers, abort, and where the token goes. */
@ExtendWith(TokenNeverLogged.class)
class EcwidTransportTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ConsulStandIn consul = new ConsulStandIn();

  @AfterEach
  void tearDown() {
    consul.close();
  }

  private EcwidTransport transport(String token, Duration readTimeout) {
    return new EcwidTransport(consul.address(), token, Duration.ofSeconds(1), readTimeout, 4, null);
  }

  @Test
  void answerSlowerThanTheReadTimeoutFailsWithSocketTimeout() throws IOException {
    consul.setService("orders", 3, Fixtures.instances("orders", 1));
    consul.script("orders", ConsulStandIn.Reply.slow(Duration.ofSeconds(2)));
    try (EcwidTransport transport = transport(null, Duration.ofMillis(300))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> transport.get("/v1/health/service/orders", List.of()))
          .isInstanceOf(SocketTimeoutException.class);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(millis).isBetween(250L, 1_500L);

      // The pool is still usable after the timed-out connection.
      assertThat(transport.get("/v1/health/service/orders", List.of()).status()).isEqualTo(200);
    }
  }

  @Test
  void keepsEveryHeaderLowerCasedAndParsesTheIndex() throws IOException {
    consul.setService("orders", 27769289, Fixtures.text(Fixtures.EMPTY_LIST));
    try (EcwidTransport transport = transport(null, Duration.ofSeconds(5))) {
      ConsulAnswer answer = transport.get("/v1/health/service/orders", List.of());

      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("[]\n");
      assertThat(answer.index()).isEqualTo(27769289L);
      assertThat(answer.header("X-Consul-Knownleader")).isEqualTo("true");
      assertThat(answer.header("x-consul-query-backend")).isEqualTo("blocking-query");
      assertThat(answer.headers()).containsKey("x-consul-effective-consistency");
    }
  }

  @Test
  void indexThatIsNotANumberIsNull() throws IOException {
    consul.server().stubFor(get(urlPathEqualTo("/v1/health/service/odd")).atPriority(1)
        .willReturn(aResponse().withStatus(200).withBody("[]").withHeader("X-Consul-Index", "abc")));
    try (EcwidTransport transport = transport(null, Duration.ofSeconds(5))) {
      assertThat(transport.get("/v1/health/service/odd", List.of()).index()).isNull();
    }
  }

  @Test
  void abortFromAnotherThreadEndsABlockedQueryAtOnce() throws Exception {
    consul.setService("orders", 3, Fixtures.instances("orders", 1));
    try (EcwidTransport transport = transport(null, Duration.ofSeconds(30))) {
      CompletableFuture<Thread> caller = new CompletableFuture<>();
      CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
        caller.complete(Thread.currentThread());
        try {
          return transport.get("/v1/health/service/orders",
              List.of(Map.entry("index", "3"), Map.entry("wait", "20s")));
        } catch (IOException e) {
          return e;
        }
      });
      Await.until(TIMEOUT, () -> consul.held("orders") == 1, "the query held");

      long start = System.nanoTime();
      transport.abort(caller.get());
      Object result = outcome.get(2, TimeUnit.SECONDS);

      assertThat(result).isInstanceOf(IOException.class);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
    }
  }

  @Test
  void tokenIsSentAsTheHeaderOnGetAndPutAndNowhereElse() throws IOException {
    try (EcwidTransport transport = transport(ConsulStandIn.TOKEN, Duration.ofSeconds(5))) {
      transport.get("/v1/health/service/orders", List.of(Map.entry("tag", "a")));
      transport.put("/v1/agent/service/register", "{}");
    }

    List<LoggedRequest> all = consul.journal();
    assertThat(all).hasSize(2).allSatisfy(r -> {
      assertThat(r.header("X-Consul-Token").values()).containsExactly(ConsulStandIn.TOKEN);
      assertThat(r.getUrl()).doesNotContain(ConsulStandIn.TOKEN);
      assertThat(r.getBodyAsString()).doesNotContain(ConsulStandIn.TOKEN);
    });
  }

  @Test
  void withoutATokenNoTokenHeaderIsSent() throws IOException {
    // consul-api adds an empty X-Consul-Token to every request; it must not reach Consul.
    try (EcwidTransport transport = transport(null, Duration.ofSeconds(5))) {
      transport.get("/v1/health/service/orders", List.of());
      transport.put("/v1/agent/service/register", "{}");
    }

    assertThat(consul.journal()).hasSize(2)
        .allSatisfy(r -> assertThat(r.containsHeader("X-Consul-Token")).isFalse());
  }

  @Test
  void refusedConnectionIsAnIOException() throws IOException {
    consul.stop();
    try (EcwidTransport transport = transport(null, Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> transport.get("/v1/health/service/orders", List.of()))
          .isInstanceOf(IOException.class).hasMessageContaining("Connection refused");
    }
  }
}
