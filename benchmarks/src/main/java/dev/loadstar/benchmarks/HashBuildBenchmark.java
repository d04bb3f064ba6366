package dev.loadstar.benchmarks;

import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.internal.ThreadLocalRandomSource;
import dev.loadstar.registry.NodeStats;
import dev.loadstar.strategy.Picker;
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
 * Building a ring-hash ring or Maglev table for 1,000 and 10,000 nodes: what every membership
 * change of such a service costs, on the update path (never inside a pick).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HashBuildBenchmark {

  @Param({"ring-hash", "maglev"})
  public String strategy;

  @Param({"1000", "10000"})
  public int nodes;

  private List<NodeStats> stats;

  @Setup
  public void setUp() {
    stats = new ArrayList<>();
    for (Node node : Fixtures.localNodes(nodes)) {
      stats.add(new NodeStats(node, System::nanoTime, ServiceConfig.DEFAULT_EWMA_DECAY.toNanos()));
    }
  }

  @Benchmark
  public Picker build() {
    return Strategies.byName(strategy).newPicker(stats, ThreadLocalRandomSource.INSTANCE);
  }
}
