package dev.loadstar.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Floors for {@link PickerBenchmark}: the least work each kind of pick can do, written by hand
 * over plain arrays. A picker's overhead is its time divided by its floor's from the same command
 * run: round-robin over {@link #atomicRoundRobin}, random over {@link #threadLocalRandomIndex},
 * least-requests and peak-ewma over {@link #twoRandomChoices}.
 *
 * <p>Kept out of {@code PickerBenchmark} so the floors are not rerun for every strategy. State is
 * shared by all benchmark threads, like a picker's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PickFloorBenchmark {

  @Param({"10", "100", "1000"})
  public int nodes;

  private Object[] members;
  /**
   * Loads 0, 1, 2, 0, ...: as mixed as the weights 1, 2, 3 the pickers compare, so the branch that
   * takes the lighter node is as hard to predict.
   */
  private int[] loads;
  private final AtomicInteger next = new AtomicInteger();

  @Setup
  public void setUp() {
    members = Fixtures.localNodes(nodes).toArray();
    loads = new int[nodes];
    for (int i = 0; i < nodes; i++) {
      loads[i] = i % 3;
    }
  }

  /**
   * The textbook round robin (gRPC's {@code RoundRobinLoadBalancer}): one counter shared by every
   * thread. At {@code -t 2} its cache line moves between cores on every pick, which is what
   * round-robin's per-thread cursors avoid.
   */
  @Benchmark
  public Object atomicRoundRobin() {
    return members[Math.floorMod(next.getAndIncrement(), members.length)];
  }

  /** A uniform random pick: one draw and one load. */
  @Benchmark
  public Object threadLocalRandomIndex() {
    return members[ThreadLocalRandom.current().nextInt(members.length)];
  }

  /** Power of two choices at its barest: two draws, two loads from an int array, one compare. */
  @Benchmark
  public Object twoRandomChoices() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int i = random.nextInt(members.length);
    int j = random.nextInt(members.length);
    return loads[j] < loads[i] ? members[j] : members[i];
  }
}
