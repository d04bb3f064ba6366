package dev.loadstar.benchmarks;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.NodeRegistry;
import dev.loadstar.Strategies;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@link NodeRegistry#update} for a large service (10,000 nodes) when discovery
 * reports one node replaced: a Consul watch on a big service sees mostly such answers. Each call
 * of {@link #updateOneNodeChanged} alternates between two lists that differ in one node, so every
 * call is a real change (diff, new picker, published list). {@link #updateUnchanged} repeats the
 * current list, the no-op that must stay cheap because watches repeat themselves.
 *
 * <p>Per-thread state: meant for {@code -t 1}; with more threads each would update its own
 * balancer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MembershipUpdateBenchmark {
  private static final String SERVICE = "svc";
  private static final int NODES = 10_000;

  @Param({"round-robin", "least-requests"})
  public String strategy;

  private NodeRegistry registry;
  private List<Node> a;
  /** {@link #a} with its middle node replaced by one at another host and port. */
  private List<Node> b;
  private boolean nextIsB;

  @Setup
  public void setUp() {
    registry = LoadBalancer.builder().defaultStrategy(Strategies.byName(strategy)).build().registry();
    a = List.copyOf(Fixtures.localNodes(NODES));
    List<Node> replaced = new ArrayList<>(a);
    replaced.set(NODES / 2, Node.of("127.0.0.2", Fixtures.FIRST_PORT + NODES));
    b = List.copyOf(replaced);
    registry.update(SERVICE, a);
    nextIsB = true;
  }

  @Benchmark
  public void updateOneNodeChanged() {
    registry.update(SERVICE, nextIsB ? b : a);
    nextIsB = !nextIsB;
  }

  @Benchmark
  public void updateUnchanged() {
    registry.update(SERVICE, a);
  }
}
