package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.PickContext;
import dev.loadstar.Strategies;
import dev.loadstar.strategy.Strategy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sticky routing: a hash key taken from a header, a cookie, a query parameter or a request tag
 * sends every call with the same key to the same server, the one the balancer maps the key to,
 * while different keys spread over the servers.
 */
class HashKeyTest {
  /** Keys per test; with 3 servers, P(some server gets none of 30 keys) ≈ 3 × (2/3)^30 ≈ 2e-5. */
  private static final int KEYS = 30;
  private static final int CALLS_PER_KEY = 3;

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

  private void start(Strategy strategy, HashKeySource keys) throws Exception {
    backends.addAll(Backend.start(3));
    lb = Clients.balancer(strategy);
    lb.registry().update(SERVICE, backends.stream().map(Backend::node).toList());
    client = Clients.client(LoadBalancingInterceptor.builder(lb).hashKey(keys).build());
  }

  /**
   * Sends {@link #CALLS_PER_KEY} calls per key and checks each key stuck to one server, the one
   * {@code lb.pick} maps it to; returns the server of each key.
   */
  private Map<String, String> assertSticky(Function<String, Request> requestForKey)
      throws Exception {
    Map<String, String> serverByKey = new TreeMap<>();
    for (int k = 0; k < KEYS; k++) {
      String key = "user-" + k;
      Set<String> servers = new HashSet<>();
      for (int i = 0; i < CALLS_PER_KEY; i++) {
        servers.add(call(client, requestForKey.apply(key)));
      }
      assertThat(servers).as("servers for key %s", key).hasSize(1);
      String server = servers.iterator().next();
      assertThat(server).as("server for key %s", key).isEqualTo(expectedServer(key));
      serverByKey.put(key, server);
    }
    assertThat(new HashSet<>(serverByKey.values())).as("keys spread over all servers")
        .hasSize(3);
    return serverByKey;
  }

  /** The server the balancer itself maps {@code key} to. */
  private String expectedServer(String key) throws Exception {
    try (Lease lease = lb.pick(SERVICE, PickContext.hashKey(key))) {
      String id = lease.node().id();
      return backends.stream().filter(b -> b.node().id().equals(id)).findFirst().orElseThrow()
          .name();
    }
  }

  private static Request.Builder request(String pathAndQuery) {
    return new Request.Builder().url("http://orders" + pathAndQuery);
  }

  @Test
  void headerKeyGivesStickyRoutingWithRingHash() throws Exception {
    start(Strategies.ringHash(), HashKeySource.header("X-User-Id"));

    assertSticky(key -> request("/cart").header("X-User-Id", key).build());
  }

  @Test
  void cookieKeyGivesStickyRoutingWithRingHash() throws Exception {
    start(Strategies.ringHash(), HashKeySource.cookie("session"));

    assertSticky(key -> request("/cart")
        .header("Cookie", "theme=dark; session=" + key + "; lang=en").build());
  }

  @Test
  void queryParameterKeyGivesStickyRoutingWithRingHash() throws Exception {
    start(Strategies.ringHash(), HashKeySource.queryParameter("user"));

    assertSticky(key -> request("/cart?page=2&user=" + key).build());
  }

  @Test
  void requestTagKeyGivesStickyRoutingWithRingHash() throws Exception {
    start(Strategies.ringHash(), HashKeySource.none());

    assertSticky(key -> request("/cart").tag(PickContext.class, PickContext.hashKey(key)).build());
  }

  @Test
  void headerKeyGivesStickyRoutingWithMaglev() throws Exception {
    start(Strategies.maglev(), HashKeySource.header("X-User-Id"));

    assertSticky(key -> request("/cart").header("X-User-Id", key).build());
  }

  @Test
  void sameKeyFromAnySourceReachesTheSameServer() throws Exception {
    start(Strategies.ringHash(), HashKeySource.firstOf(
        HashKeySource.header("X-User-Id"), HashKeySource.queryParameter("user")));

    Map<String, String> byHeader =
        assertSticky(key -> request("/cart").header("X-User-Id", key).build());
    Map<String, String> byQuery = assertSticky(key -> request("/cart?user=" + key).build());

    assertThat(byQuery).isEqualTo(byHeader);
  }

  @Test
  void requestTagTakesPrecedenceOverTheConfiguredSource() throws Exception {
    start(Strategies.ringHash(), HashKeySource.header("X-User-Id"));

    assertSticky(key -> request("/cart")
        .header("X-User-Id", "ignored-because-tagged")
        .tag(PickContext.class, PickContext.hashKey(key)).build());
  }

  @Test
  void cookieSourceFindsTheNamedCookieAmongSeveralHeaders() {
    HashKeySource source = HashKeySource.cookie("session");

    assertThat(source.key(request("/").addHeader("Cookie", "a=1")
        .addHeader("Cookie", " b=2 ;  session = abc ; c=3").build())).isEqualTo("abc");
    assertThat(source.key(request("/").header("Cookie", "mysession=x; sessionid=y").build()))
        .isNull();
    assertThat(source.key(request("/").build())).isNull();
  }

  @Test
  void firstOfTakesTheFirstSourceThatHasAKey() {
    HashKeySource source = HashKeySource.firstOf(
        HashKeySource.header("X-User-Id"), HashKeySource.queryParameter("user"));

    assertThat(source.key(request("/?user=q").header("X-User-Id", "h").build())).isEqualTo("h");
    assertThat(source.key(request("/?user=q").build())).isEqualTo("q");
    assertThat(source.key(request("/").build())).isNull();
    assertThat(HashKeySource.none().key(request("/?user=q").build())).isNull();
  }
}
