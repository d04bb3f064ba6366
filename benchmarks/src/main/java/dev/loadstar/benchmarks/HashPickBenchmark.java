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
 * A sticky pick by key with ring hash and Maglev, including hashing the key: each operation takes
 * the next of 4,096 distinct user ids (so lookups hit the whole ring or table, not one cached
 * slot), builds its {@link PickContext} (xxHash64 of the id) and picks. The context does not
 * escape, so with -prof gc this should show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HashPickBenchmark {

  @Param({"ring-hash", "maglev"})
  public String strategy;

  @Param({"10", "100", "1000"})
  public int nodes;

  private Picker picker;
  private final String[] keys = new String[4_096];
  private int next;

  @Setup
  public void setUp() {
    List<NodeStats> stats = new ArrayList<>();
    for (Node node : Fixtures.localNodes(nodes)) {
      stats.add(new NodeStats(node, System::nanoTime, ServiceConfig.DEFAULT_EWMA_DECAY.toNanos()));
    }
    picker = Strategies.byName(strategy).newPicker(stats, ThreadLocalRandomSource.INSTANCE);
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "user-" + (1_000_000 + i * 7_919);
    }
  }

  @Benchmark
  public NodeStats pickByKey() {
    String key = keys[next++ & (keys.length - 1)];
    return picker.pick(PickContext.hashKey(key));
  }
}
