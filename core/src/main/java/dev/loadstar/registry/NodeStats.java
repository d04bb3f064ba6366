package dev.loadstar.registry;

import dev.loadstar.Node;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

/**
 * The live state of one node of one service: its in-flight request count and its peak-EWMA latency
 * estimate. One object per node id, kept across membership updates for as long as the id stays,
 * and handed by reference into every picker built while it does (gRPC's per-endpoint counters).
 *
 * <p><b>Peak EWMA</b> (Finagle's {@code PeakEwma}): an observed latency above the estimate replaces
 * it at once (react to slowness now); one below it is blended in with weight
 * {@code 1 - exp(-elapsed / decay)}, but at least {@link #MIN_SAMPLE_WEIGHT} (forget slowness
 * gradually, and a busy node within a few hundred answers). Between observations the
 * estimate decays toward zero with the same time constant, so a node that was avoided for being
 * slow looks cheaper and cheaper until it is tried again and can show it recovered. A failure is
 * never taken as evidence that a node is fast: its latency counts at least as the current estimate.
 *
 * <p>Thread-safe. Reads are plain volatile loads and never lock, so pickers can call them on the
 * hot path. The two EWMA fields are written together under a per-node lock (writers are lease
 * outcomes, off the pick path); a reader may see one field updated before the other, which moves
 * one comparison by at most one observation's worth and is not worth a lock on every pick.
 */
public final class NodeStats {
  /**
   * The least weight one latency sample has in the estimate. Finagle's peak EWMA weighs a sample
   * only by the time since the previous one, so a peak fades over the decay time (10 s) however
   * many faster answers arrive meanwhile: a busy node that hiccuped once (a GC pause, a
   * descheduled thread, a new connection) looks slow for seconds on the strength of one sample
   * against thousands. With this floor a busy node forgets a peak within a few hundred answers,
   * while a node that gets few requests (one avoided for being slow) still keeps its peak for the
   * decay time. Measured in {@code SlowNodeExperiment} (docs/benchmarks.md): with one 10× slower
   * node, the slow node's share fell from 1.5% to 0.05% and p99 from 0.98× to 0.15× round robin's.
   */
  static final double MIN_SAMPLE_WEIGHT = 0.01;
  private static final VarHandle IN_FLIGHT;

  static {
    try {
      IN_FLIGHT = MethodHandles.lookup().findVarHandle(NodeStats.class, "inFlight", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LongSupplier nanoTime;
  private volatile double decayNanos;
  /** In flight across the whole service; shared by its nodes. For bounded-load strategies. */
  private final LongAdder serviceInFlight;
  private final Object ewmaLock = new Object();

  /** The generation of the membership update that last named this node; see ServiceState. */
  int mark;
  /** Guarded by the service lock: when slow start began, or {@link #NOT_RAMPING}. */
  long rampStartNanos = NOT_RAMPING;
  /** Guarded by the service lock: when the breaker last opened. */
  long openedAtNanos;

  static final long NOT_RAMPING = Long.MIN_VALUE;

  /** Guarded by the service lock: the breaker state the service last acted on. */
  CircuitBreaker.@Nullable State knownState;
  /** The service this node belongs to, told when a lease sees the breaker move. */
  volatile @Nullable ServiceState owner;

  /** The node's breaker (null when ejection is off); replaced when breaker settings change. */
  volatile @Nullable CircuitBreaker breaker;
  /** The weight pickers use now: the node's weight, reduced while it ramps up in slow start. */
  private volatile double weight;

  private volatile Node node;
  private volatile int inFlight;
  private volatile double costNanos;
  private volatile long stampNanos;

  /**
   * @param node the node this state belongs to
   * @param nanoTime the clock latency observations are stamped with
   * @param decayNanos the peak-EWMA time constant
   */
  public NodeStats(Node node, LongSupplier nanoTime, long decayNanos) {
    this(node, nanoTime, decayNanos, new LongAdder());
  }

  NodeStats(Node node, LongSupplier nanoTime, long decayNanos, LongAdder serviceInFlight) {
    this.serviceInFlight = serviceInFlight;
    if (decayNanos <= 0) {
      throw new IllegalArgumentException("decayNanos: " + decayNanos + " (expected: > 0)");
    }
    this.node = node;
    this.weight = node.weight();
    this.nanoTime = nanoTime;
    this.decayNanos = decayNanos;
    this.stampNanos = nanoTime.getAsLong();
  }

  /** The node as of the latest membership update that included it. */
  public Node node() {
    return node;
  }

  /**
   * The weight strategies should use now: the node's configured weight, or less while the node is
   * in slow start. Read once per picker build, never per pick.
   */
  public double weight() {
    return weight;
  }

  void weight(double weight) {
    this.weight = weight;
  }

  void decayNanos(long decayNanos) {
    this.decayNanos = decayNanos;
  }

  /** The breaker's state name, or "DISABLED" without a breaker. For introspection. */
  public String breakerState() {
    CircuitBreaker b = breaker;
    return b == null ? "DISABLED" : b.getState().name();
  }

  /** Requests currently leased to this node and not yet closed. */
  public int inFlight() {
    return inFlight;
  }

  /**
   * Requests in flight on all nodes of this node's service. A striped sum (LongAdder): cheap to
   * read, not an atomic snapshot.
   */
  public long serviceInFlight() {
    return serviceInFlight.sum();
  }

  /**
   * Counts one more request in flight if fewer than {@code limit} are; for pickers that cap load
   * per node (bounded-load hashing) and so must check and count in one atomic step. A picker that
   * does this says so with {@link dev.loadstar.strategy.Picker#reservesInFlight()}, and the lease
   * then does not count the request again.
   *
   * @return whether the request was counted
   */
  public boolean tryAcquire(int limit) {
    for (int current = inFlight; current < limit; current = inFlight) {
      if (IN_FLIGHT.compareAndSet(this, current, current + 1)) {
        serviceInFlight.increment();
        return true;
      }
    }
    return false;
  }

  /**
   * The peak-EWMA estimate as it was stored at {@link #ewmaStampNanos()}, without decay; 0 until
   * the first observation. Pickers compare two nodes by decaying the older stamp to the newer one.
   */
  public double ewmaCostNanos() {
    return costNanos;
  }

  /** When {@link #ewmaCostNanos()} was last written, on this node's clock. */
  public long ewmaStampNanos() {
    return stampNanos;
  }

  /** The decay time constant of the estimate. */
  public double ewmaDecayNanos() {
    return decayNanos;
  }

  /** The peak-EWMA estimate decayed to now; reads the clock, so meant for introspection. */
  public double peakEwmaNanos() {
    double cost = costNanos;
    long elapsed = Math.max(0L, nanoTime.getAsLong() - stampNanos);
    return cost * decayFactor(elapsed, decayNanos);
  }

  /**
   * {@code exp(-elapsed / decay)}, the share of an estimate left after {@code elapsed}. For the
   * common elapsed below decay / 64 a second-order Taylor term is within 1e-6 of it and costs no
   * call (Math.exp is about 30 ns here, a sixth of a whole pick).
   */
  public static double decayFactor(long elapsedNanos, double decayNanos) {
    double x = elapsedNanos / decayNanos;
    return x < 1.0 / 64 ? 1.0 - x + 0.5 * x * x : Math.exp(-x);
  }

  void node(Node node) {
    this.node = node;
  }

  void acquire() {
    IN_FLIGHT.getAndAdd(this, 1);
    serviceInFlight.increment();
  }

  void release() {
    IN_FLIGHT.getAndAdd(this, -1);
    serviceInFlight.decrement();
  }

  void observe(long latencyNanos, boolean failed) {
    double rtt = Math.max(0L, latencyNanos);
    synchronized (ewmaLock) {
      long now = nanoTime.getAsLong();
      double cost = costNanos;
      if (failed) {
        rtt = Math.max(rtt, cost);
      }
      if (rtt > cost) {
        cost = rtt;
      } else {
        double w = Math.min(1.0 - MIN_SAMPLE_WEIGHT,
            decayFactor(Math.max(0L, now - stampNanos), decayNanos));
        cost = cost * w + rtt * (1.0 - w);
      }
      costNanos = cost;
      stampNanos = now;
    }
  }

  @Override
  public String toString() {
    return "NodeStats{" + node.id() + ", inFlight=" + inFlight
        + ", peakEwmaMillis=" + String.format("%.3f", costNanos / 1e6) + '}';
  }
}
