package dev.loadstar.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.Strategies;
import dev.loadstar.registry.NodeStats;
import dev.loadstar.registry.ServiceRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedLoadConcurrencyTest {

  /**
   * Eight threads open 25 leases each at once, all on three hot keys, and close none until all
   * are open. The total in flight only grows meanwhile, so every cap a pick checked against was
   * at most ⌈1.25 × 200 / 10⌉ = 25: no node may end above it. (Unbounded, the three hot keys
   * would put all 200 on at most three nodes.)
   */
  @Test
  void noNodeEverExceedsItsCapUnderConcurrentLeases() throws Exception {
    LoadBalancer lb = LoadBalancer.builder()
        .defaultStrategy(Strategies.ringHash().boundedLoad(1.25)).build();
    lb.registry().update("svc", HashFixtures.named(10));
    List<NodeStats> stats = ((ServiceRegistry) lb.registry()).stats("svc");
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    List<Lease> held = Collections.synchronizedList(new ArrayList<>());
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      new Thread(() -> {
        try {
          start.await(10, TimeUnit.SECONDS);
          for (int i = 0; i < 25; i++) {
            held.add(lb.pick("svc", PickContext.hashKey("hot-" + (i % 3))));
          }
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          done.countDown();
        }
      }, "bounded-" + t).start();
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(errors).isEmpty();
    assertThat(held).hasSize(200);
    stats.forEach(s -> assertThat(s.inFlight()).as("in flight on %s", s.node().id())
        .isLessThanOrEqualTo(25));
    assertThat(stats.stream().filter(s -> s.inFlight() > 0).count()).isGreaterThanOrEqualTo(8);
    held.forEach(Lease::close);
    stats.forEach(s -> assertThat(s.inFlight()).isZero());
    assertThat(stats.get(0).serviceInFlight()).isZero();
  }

  @Test
  void holdsTheExactCapWhenLeasesAreOpenedOneByOne() throws Exception {
    LoadBalancer lb = LoadBalancer.builder()
        .defaultStrategy(Strategies.ringHash().boundedLoad(1.25)).build();
    lb.registry().update("svc", HashFixtures.named(4));
    List<Lease> held = new ArrayList<>();
    Map<String, Integer> perNode = new ConcurrentHashMap<>();
    for (int i = 1; i <= 200; i++) {
      Lease lease = lb.pick("svc", PickContext.hashKey("one-hot-key"));
      held.add(lease);
      int load = perNode.merge(lease.node().id(), 1, Integer::sum);
      // Before this pick i - 1 were in flight: cap = ceil(1.25 × i / 4).
      assertThat(load).as("pick %d on %s", i, lease.node().id())
          .isLessThanOrEqualTo((int) Math.ceil(1.25 * i / 4));
    }
    // The hot key's own node is full; its overflow went around the ring to every other node.
    assertThat(perNode).hasSize(4);
    held.forEach(Lease::close);
  }

  @Test
  void keysStayOnTheirNodeWhileItHasRoom() throws Exception {
    LoadBalancer plain = LoadBalancer.builder().defaultStrategy(Strategies.ringHash()).build();
    LoadBalancer bounded = LoadBalancer.builder()
        .defaultStrategy(Strategies.ringHash().boundedLoad(1.25)).build();
    List<Node> nodes = HashFixtures.named(10);
    plain.registry().update("svc", nodes);
    bounded.registry().update("svc", nodes);
    for (int k = 0; k < 1_000; k++) {
      PickContext ctx = PickContext.hashKey("key-" + k);
      try (Lease a = plain.pick("svc", ctx); Lease b = bounded.pick("svc", ctx)) {
        assertThat(b.node()).isEqualTo(a.node());
      }
    }
  }
}
