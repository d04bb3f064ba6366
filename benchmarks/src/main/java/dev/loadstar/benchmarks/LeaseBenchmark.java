package dev.loadstar.benchmarks;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
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
 * What an application pays per request on the pick path: {@link LoadBalancer#pick} (service
 * lookup, one volatile read of the picker, the pick, the lease allocation and the in-flight
 * increment) and {@link Lease#close()} (the decrement). The difference from
 * {@link PickerBenchmark} at the same parameters is the registry's and the lease's share.
 *
 * <p>One balancer is shared by all benchmark threads; at {@code -t 2} the in-flight counters of
 * the nodes both threads pick are contended, as they are in an application.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LeaseBenchmark {
  private static final String SERVICE = "svc";

  @Param({"round-robin", "weighted-round-robin", "random", "least-requests", "peak-ewma"})
  public String strategy;

  @Param({"10", "100", "1000"})
  public int nodes;

  private LoadBalancer lb;

  @Setup
  public void setUp() {
    lb = LoadBalancer.builder().defaultStrategy(Strategies.byName(strategy)).build();
    lb.registry().update(SERVICE, Fixtures.localNodes(nodes));
  }

  @Benchmark
  public Node pickAndClose() throws NoAvailableNodeException {
    try (Lease lease = lb.pick(SERVICE)) {
      return lease.node();
    }
  }

  /** The whole lease as a call uses it: pick, report a success with its latency, close. */
  @Benchmark
  public Node pickSucceedAndClose() throws NoAvailableNodeException {
    try (Lease lease = lb.pick(SERVICE)) {
      lease.success(1_000_000L);
      return lease.node();
    }
  }
}
