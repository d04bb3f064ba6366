package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.call;
import static dev.loadstar.okhttp.Clients.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.strategy.Strategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How each strategy spreads real calls over three loopback servers. Random draws come from a
 * {@code Random} seeded with 42 (see {@link Clients#balancer}); each tolerance is stated where it
 * is asserted. Calls are sequential on one thread, so every node has 0 in flight at each pick
 * unless a test holds responses open.
 */
class DistributionTest {
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

  private void start(Strategy strategy, int count) throws Exception {
    backends.addAll(Backend.start(count));
    lb = Clients.balancer(strategy);
    lb.registry().update(SERVICE, backends.stream().map(Backend::node).toList());
    client = Clients.client(LoadBalancingInterceptor.create(lb));
  }

  /** Sends {@code calls} calls; returns how many each server received, in server order. */
  private List<Integer> send(int calls) throws Exception {
    for (int i = 0; i < calls; i++) {
      call(client, get("/d/" + i));
    }
    return backends.stream().map(Backend::requestCount).toList();
  }

  @Test
  void roundRobinGivesEveryServerTheSameShareExactly() throws Exception {
    start(Strategies.roundRobin(), 3);

    assertThat(send(300)).containsExactly(100, 100, 100);
  }

  @Test
  void weightedRoundRobinFollowsWeightsExactly() throws Exception {
    start(Strategies.weightedRoundRobin(), 3);
    List<Node> weighted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      weighted.add(backends.get(i).node().toBuilder().weight(i + 1).build());
    }
    lb.registry().update(SERVICE, weighted);

    // Weights 1:2:3 over 600 calls, a whole number of 6-pick cycles.
    assertThat(send(600)).containsExactly(100, 200, 300);
  }

  @Test
  void randomSpreadsEvenlyWithinFiveSigma() throws Exception {
    start(Strategies.random(), 3);

    // 600 calls, p = 1/3: mean 200, sigma = sqrt(600 × 1/3 × 2/3) ≈ 11.5; 5 sigma ≈ 58.
    assertThat(send(600)).allSatisfy(n -> assertThat(n).isBetween(142, 258));
  }

  @Test
  void leastRequestsSpreadsEvenlyWhenNothingIsInFlight() throws Exception {
    start(Strategies.leastRequests(), 3);

    // Ties go to either of two uniformly drawn nodes: the same bound as random.
    assertThat(send(600)).allSatisfy(n -> assertThat(n).isBetween(142, 258));
  }

  @Test
  void leastRequestsSendsTheNextCallAwayFromTheServerHoldingAnOpenResponse() throws Exception {
    start(Strategies.leastRequests(), 2);

    for (int i = 0; i < 20; i++) {
      // With two nodes, power of two choices compares both: the one with a call open loses.
      try (Response open = client.newCall(get("/held")).execute();
          Response next = client.newCall(get("/next")).execute()) {
        assertThat(next.body().string()).as("round %d", i).isNotEqualTo(open.body().string());
      }
    }
  }

  @Test
  void peakEwmaSteersAwayFromASlowServer() throws Exception {
    // Latency comes from a fake clock shared by the balancer and the interceptor: the slow
    // server moves it 50 ms forward before answering, the others not at all. A real delay would
    // do the same, but one scheduler hiccup on a fast server would then skew a 10 s estimate.
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    backends.addAll(Backend.start(3));
    lb = LoadBalancer.builder()
        .defaultStrategy(Strategies.peakEwma())
        .service(SERVICE, ServiceConfig.builder().slowStartWindow(Duration.ZERO).build())
        .random(new Random(42))
        .nanoTime(nanos::get)
        .build();
    lb.registry().update(SERVICE, backends.stream().map(Backend::node).toList());
    client = Clients.client(LoadBalancingInterceptor.builder(lb).nanoTime(nanos::get).build());
    Backend slow = backends.get(2);
    slow.respond(r -> {
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
      return slow.ok();
    });

    List<Integer> counts = send(90);

    // Until a node is observed its estimate is 0, so the slow node is tried once; from then on
    // it costs 50 ms against 0 ms, and power of two choices never prefers it (decaying with a
    // 10 s time constant, its estimate is still ~50 ms after the 50 ms it added to the clock).
    assertThat(counts.get(2)).isEqualTo(1);
    assertThat(counts.get(0) + counts.get(1)).isEqualTo(89);
  }

  @Test
  void ringHashWithoutKeyPicksAtRandom() throws Exception {
    start(Strategies.ringHash(), 3);

    // No key: a random point on the ring, so the same 5-sigma bound as random.
    assertThat(send(600)).allSatisfy(n -> assertThat(n).isBetween(142, 258));
  }

  @Test
  void maglevWithoutKeyPicksAtRandom() throws Exception {
    start(Strategies.maglev(), 3);

    assertThat(send(600)).allSatisfy(n -> assertThat(n).isBetween(142, 258));
  }
}
