package dev.loadstar.strategy;

import static dev.loadstar.testing.Nodes.node;
import static dev.loadstar.testing.Nodes.nodes;
import static dev.loadstar.testing.Nodes.sequence;
import static dev.loadstar.testing.Nodes.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Strategies;
import dev.loadstar.testing.ScriptedRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinStrategyTest {

  private static LoadBalancer lb(dev.loadstar.strategy.Strategy strategy) {
    return LoadBalancer.builder().defaultStrategy(strategy).random(ScriptedRandom.ZERO).build();
  }

  @Test
  void visitsNodesInTurnAndWrapsAround() throws Exception {
    LoadBalancer lb = lb(Strategies.roundRobin());
    lb.registry().update("svc", nodes(3));
    String a = node(0).id(), b = node(1).id(), c = node(2).id();
    assertThat(sequence(lb, "svc", 7)).containsExactly(a, b, c, a, b, c, a);
  }

  @Test
  void ignoresWeights() throws Exception {
    LoadBalancer lb = lb(Strategies.roundRobin());
    lb.registry().update("svc", List.of(weighted(0, 5), weighted(1, 1)));
    assertThat(sequence(lb, "svc", 4))
        .containsExactly(node(0).id(), node(1).id(), node(0).id(), node(1).id());
  }

  @Test
  void keepsExactRotationOverAMillionPicks() throws Exception {
    // The cursor is an index kept inside [0, n), so it has no counter to overflow; the rotation
    // stays exact however long a thread runs.
    LoadBalancer lb = lb(Strategies.roundRobin());
    lb.registry().update("svc", nodes(7));
    List<String> seq = sequence(lb, "svc", 1_000_003);
    for (int i = 0; i < seq.size(); i++) {
      assertThat(seq.get(i)).isEqualTo(node(i % 7).id());
    }
  }

  @Test
  void eachThreadSeesAnExactRotationAndTogetherTheySpreadEvenly() throws Exception {
    LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.roundRobin())
        .random(new Random(7)).build();
    lb.registry().update("svc", nodes(4));
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        try {
          List<String> seq = sequence(lb, "svc", 4_000);
          for (int i = 4; i < seq.size(); i++) {
            assertThat(seq.get(i)).isEqualTo(seq.get(i - 4));
          }
          assertThat(seq.subList(0, 4)).doesNotHaveDuplicates();
          seq.forEach(id -> counts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet());
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(errors).isEmpty();
    assertThat(counts).hasSize(4);
    counts.values().forEach(c -> assertThat(c.get()).isEqualTo(4_000));
  }
}
