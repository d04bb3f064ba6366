package dev.loadstar.registry;

import static dev.loadstar.testing.Nodes.nodes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Strategies;
import dev.loadstar.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Breakers flip open, half-open and closed (two of six nodes fail 70% of the time) while eight
 * threads pick and a ninth moves the clock and runs the health tick. Every pick must get a node
 * (panic covers the worst moments) and every in-flight count must return to zero. Bounded: at
 * most 2 s and 100,000 picks per thread.
 */
class BreakerRaceTest {

  @ParameterizedTest
  @ValueSource(strings = {"round-robin", "least-requests", "peak-ewma", "ring-hash", "maglev"})
  void picksNeverFailAndInFlightReturnsToZeroWhileBreakersFlip(String name) throws Exception {
    FakeClock clock = new FakeClock();
    try (LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.byName(name))
        .nanoTime(clock).healthInterval(Duration.ofHours(1)).build()) {
      lb.registry().update("svc", nodes(6));
      ServiceRegistry registry = (ServiceRegistry) lb.registry();
      Set<NodeStats> seen = ConcurrentHashMap.newKeySet();
      Set<String> statesSeen = ConcurrentHashMap.newKeySet();
      List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger running = new AtomicInteger(8);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      CountDownLatch done = new CountDownLatch(8);
      for (int t = 0; t < 8; t++) {
        int seed = t;
        new Thread(() -> {
          Random random = new Random(seed);
          try {
            for (int i = 0; i < 100_000 && System.nanoTime() < deadline; i++) {
              try (Lease lease = lb.pick("svc", dev.loadstar.PickContext.hashKey("k" + (i % 64)))) {
                seen.add(((NodeLease) lease).stats());
                int port = lease.node().port();
                boolean flaky = port == 10_000 || port == 10_001;
                int roll = random.nextInt(10);
                if (roll == 0) {
                  continue; // cancelled: closed without an outcome
                }
                if (flaky && roll < 8) {
                  lease.failure(new IOException("reset"), 1_000_000L);
                } else {
                  lease.success(1_000_000L);
                }
              }
            }
          } catch (Throwable e) {
            errors.add(e);
          } finally {
            running.decrementAndGet();
            done.countDown();
          }
        }, "breaker-race-" + t).start();
      }
      while (running.get() > 0 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(1)) {
        clock.advance(Duration.ofSeconds(3));
        registry.tick();
        registry.stats("svc").forEach(s -> statesSeen.add(s.breakerState()));
        Thread.onSpinWait();
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(errors).isEmpty();
      assertThat(statesSeen).contains("OPEN", "CLOSED");
      for (NodeStats s : seen) {
        assertThat(s.inFlight()).as("in flight on %s", s.node().id()).isZero();
      }
      assertThat(registry.stats("svc").get(0).serviceInFlight()).isZero();
    }
  }
}
