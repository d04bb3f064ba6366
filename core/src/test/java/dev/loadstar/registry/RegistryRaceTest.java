package dev.loadstar.registry;

import static dev.loadstar.testing.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.strategy.Strategy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eight threads pick, hold and close leases while another thread keeps changing the membership.
 * Bounded: at most 2 s or 200,000 picks per thread.
 */
class RegistryRaceTest {

  @ParameterizedTest
  @ValueSource(strings = {"round-robin", "weighted-round-robin", "random", "least-requests", "peak-ewma"})
  void everyInFlightCountReturnsToZeroAfterPicksRaceMembershipChanges(String name) throws Exception {
    Strategy strategy = Strategies.byName(name);
    LoadBalancer lb = LoadBalancer.builder().defaultStrategy(strategy).build();
    lb.registry().update("svc", membership(new Random(1)));

    Set<NodeStats> seen = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong picks = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    int threads = 8;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread worker = new Thread(() -> {
        Random random = new Random(seed);
        List<Lease> held = new ArrayList<>();
        try {
          for (int i = 0; i < 200_000 && !stop.get() && System.nanoTime() < deadline; i++) {
            try {
              Lease lease = lb.pick("svc");
              seen.add(((NodeLease) lease).stats());
              held.add(lease);
              picks.incrementAndGet();
            } catch (NoAvailableNodeException e) {
              // Never expected: every membership in this test has at least one node.
              errors.add(e);
            }
            if (held.size() > random.nextInt(8)) {
              Lease lease = held.remove(random.nextInt(held.size()));
              if (random.nextBoolean()) {
                lease.success(random.nextInt(5_000_000));
              }
              lease.close();
              if (random.nextInt(4) == 0) {
                lease.close();
              }
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          held.forEach(Lease::close);
          done.countDown();
        }
      }, "race-picker-" + t);
      worker.start();
    }

    Random random = new Random(99);
    int updates = 0;
    while (done.getCount() > 0 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(1)) {
      lb.registry().update("svc", membership(random));
      updates++;
    }
    stop.set(true);
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(errors).isEmpty();
    assertThat(picks.get()).isGreaterThan(1_000);
    assertThat(updates).isGreaterThan(10);
    for (NodeStats s : seen) {
      assertThat(s.inFlight()).as("in flight on %s", s.node().id()).isZero();
    }
  }

  /** A random non-empty subset of 12 nodes, some with a changed weight. */
  private static List<Node> membership(Random random) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      if (random.nextInt(3) > 0) {
        nodes.add(node(i).toBuilder().weight(1 + random.nextInt(3)).build());
      }
    }
    if (nodes.isEmpty()) {
      nodes.add(node(0));
    }
    Collections.shuffle(nodes, random);
    return nodes;
  }
}
