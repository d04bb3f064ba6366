package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.get;
import static dev.loadstar.okhttp.Clients.inFlight;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.registry.NodeStats;
import dev.loadstar.registry.ServiceRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many callers at once, each call ending a different way (body read, closed unread, cancelled
 * before or while reading), while the node list changes under them: every in-flight count ends
 * at 0, none below. The lease is ended by the call's events, from caller, dispatcher and
 * cancelling threads alike.
 */
class ConcurrentCallsTest {
  private static final int THREADS = 6;
  private static final int CALLS_PER_THREAD = 150;

  private final List<Backend> backends = new ArrayList<>();
  private LoadBalancer lb;
  private OkHttpClient client;
  private final ExecutorService callers = Executors.newFixedThreadPool(THREADS + 1);

  @BeforeEach
  void setUp() throws Exception {
    backends.addAll(Backend.start(3));
    // A body long enough to be cancelled halfway.
    String body = "x".repeat(64 * 1024);
    backends.forEach(b -> b.respond(new MockResponse.Builder().code(200).body(body).build()));
    lb = Clients.balancer(Strategies.leastRequests());
    lb.registry().update(SERVICE, nodes());
    client = Clients.client(LoadBalancingInterceptor.create(lb));
  }

  @AfterEach
  void tearDown() {
    callers.shutdownNow();
    Clients.shutdown(client);
    backends.forEach(Backend::close);
    lb.close();
  }

  private List<Node> nodes() {
    return backends.stream().map(Backend::node).toList();
  }

  @Test
  void everyInFlightCountEndsAtZeroWhicheverWayCallsEnd() throws Exception {
    AtomicBoolean calling = new AtomicBoolean(true);
    AtomicInteger completed = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int seed = t;
      done.add(callers.submit(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          Call call = client.newCall(get("/c" + i));
          int ending = random.nextInt(4);
          try {
            if (ending == 0) {
              call.cancel();
            }
            try (Response response = call.execute()) {
              if (ending == 1) {
                response.body().string();
              } else if (ending == 3) {
                response.body().source().readUtf8(10);
                call.cancel();
                response.body().source().readUtf8();
              }
              // ending 2: closed unread
            }
          } catch (IOException expected) {
            // cancelled calls fail; that is one of the endings under test
          }
          completed.incrementAndGet();
        }
        return null;
      }));
    }
    Future<?> churn = callers.submit(() -> {
      SplittableRandom random = new SplittableRandom(99);
      for (int round = 0; round < 2_000 && calling.get(); round++) {
        List<Node> some = new ArrayList<>(nodes());
        some.remove(random.nextInt(some.size()));
        lb.registry().update(SERVICE, round % 2 == 0 ? some : nodes());
        Thread.sleep(2);
      }
      return null;
    });

    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    calling.set(false);
    churn.get(10, TimeUnit.SECONDS);
    lb.registry().update(SERVICE, nodes());

    assertThat(completed.get()).isEqualTo(THREADS * CALLS_PER_THREAD);
    assertThat(backends.stream().mapToInt(Backend::requestCount).sum()).isPositive();
    List<NodeStats> stats = ((ServiceRegistry) lb.registry()).stats(SERVICE);
    assertThat(stats).hasSize(3);
    assertThat(stats).allSatisfy(s -> assertThat(s.inFlight()).as("%s", s).isZero());
    assertThat(inFlight(lb)).isZero();
  }
}
