package dev.loadstar.benchmarks;

import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.internal.ThreadLocalRandomSource;
import dev.loadstar.registry.NodeStats;
import dev.loadstar.strategy.Picker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
 * The cost of one {@link Picker#pick} of each built-in strategy, without the registry or the lease
 * around it: the part a strategy's design decides. One picker is shared by all benchmark threads,
 * as a published picker is shared by all request threads, so {@code -t 2} shows contention.
 *
 * <p>No lease is taken, so in-flight counts and EWMA estimates stay 0; least-requests and peak-ewma
 * still do their full two draws, two loads and weighted comparison. Read the numbers against
 * {@link PickFloorBenchmark}, run in the same command so both see the same machine state.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PickerBenchmark {

  @Param({"round-robin", "weighted-round-robin", "random", "least-requests", "peak-ewma"})
  public String strategy;

  @Param({"10", "100", "1000"})
  public int nodes;

  private Picker picker;

  @Setup
  public void setUp() {
    long decayNanos = ServiceConfig.DEFAULT_EWMA_DECAY.toNanos();
    List<NodeStats> stats = new ArrayList<>(nodes);
    for (Node node : Fixtures.localNodes(nodes)) {
      stats.add(new NodeStats(node, System::nanoTime, decayNanos));
    }
    picker = Strategies.byName(strategy).newPicker(stats, ThreadLocalRandomSource.INSTANCE);
    if (picker.pick(PickContext.none()) == null) {
      throw new IllegalStateException(
          "strategy '" + strategy + "' picked nothing from " + nodes + " nodes");
    }
  }

  @Benchmark
  public @Nullable NodeStats pick() {
    return picker.pick(PickContext.none());
  }
}
