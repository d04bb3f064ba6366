package dev.loadstar.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.Strategies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rebuilding a ring or table (on membership change) never disturbs picks running meanwhile. */
class HashRebuildRaceTest {

  @ParameterizedTest
  @ValueSource(strings = {"ring-hash", "maglev"})
  void picksDuringRebuildsAlwaysGetAMemberOfTheOldOrNewMembership(String name) throws Exception {
    LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.byName(name)).build();
    List<Node> all = HashFixtures.named(12);
    lb.registry().update("svc", all.subList(0, 10));
    Set<String> everMember = all.stream().map(Node::id).collect(Collectors.toSet());
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(4);
    for (int t = 0; t < 4; t++) {
      new Thread(() -> {
        try {
          for (int i = 0; i < 200_000 && !stop.get(); i++) {
            try (Lease lease = lb.pick("svc", PickContext.hashKey("k" + (i % 1000)))) {
              assertThat(everMember).contains(lease.node().id());
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          done.countDown();
        }
      }).start();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (int u = 0; u < 40 && System.nanoTime() < deadline; u++) {
      lb.registry().update("svc", all.subList(u % 3, 10 + u % 3));
    }
    stop.set(true);
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(errors).isEmpty();
  }
}
