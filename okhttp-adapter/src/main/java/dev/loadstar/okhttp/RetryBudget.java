package dev.loadstar.okhttp;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Caps retries across a whole client so an outage cannot multiply the load on what is left
 * (Finagle's and Linkerd's retry budgets). Every call deposits {@code ratio} of a retry; a retry
 * withdraws one; on top, {@code minPerSecond} retries a second are always allowed so that a
 * quiet client can still retry. The balance is capped at {@code maxBalance} so a long healthy
 * spell cannot bank an unbounded burst.
 *
 * <p>During a total outage of N calls over T seconds, retries are at most
 * ratio × N + minPerSecond × T + the balance banked before it (≤ maxBalance).
 *
 * <p>Thread-safe. Deposits (every call) are a striped add; withdrawals (retries only) lock.
 */
public final class RetryBudget {
  private static final long MILLI = 1_000L;

  private final long depositMilli;
  private final long floorMilliPerSecond;
  private final long maxBalanceMilli;
  private final LongSupplier nanoTime;
  private final LongAdder deposits = new LongAdder();

  /** Guarded by {@code this}. */
  private long balanceMilli;
  /** Guarded by {@code this}. */
  private long lastRefillNanos;

  /**
   * @param ratio retries allowed per call, e.g. 0.2
   * @param minPerSecond retries always allowed per second, e.g. 10
   * @param maxBalance retries that may be banked, e.g. 100
   */
  public RetryBudget(double ratio, int minPerSecond, int maxBalance, LongSupplier nanoTime) {
    if (!(ratio >= 0.0 && ratio <= 1.0)) {
      throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0.0-1.0)");
    }
    if (minPerSecond < 0) {
      throw new IllegalArgumentException("minPerSecond: " + minPerSecond + " (expected: >= 0)");
    }
    if (maxBalance < 1) {
      throw new IllegalArgumentException("maxBalance: " + maxBalance + " (expected: >= 1)");
    }
    this.depositMilli = Math.round(ratio * MILLI);
    this.floorMilliPerSecond = minPerSecond * MILLI;
    this.maxBalanceMilli = maxBalance * MILLI;
    this.nanoTime = nanoTime;
    this.lastRefillNanos = nanoTime.getAsLong();
    this.balanceMilli = floorMilliPerSecond;
  }

  /** 20% of calls, 10 a second, at most 100 banked. */
  public static RetryBudget defaults() {
    return new RetryBudget(0.2, 10, 100, System::nanoTime);
  }

  /** Records one call. */
  public void deposit() {
    deposits.add(depositMilli);
  }

  /** Takes one retry from the budget; false if there is none. */
  public synchronized boolean tryWithdraw() {
    long now = nanoTime.getAsLong();
    long elapsed = Math.max(0L, now - lastRefillNanos);
    long floor = (long) (floorMilliPerSecond * (elapsed / 1e9));
    if (floor > 0) {
      // Move the refill mark only by the time turned into whole thousandths; the rest stays
      // banked. Moving it to now would drop the fraction on every call, and a client asking more
      // often than one thousandth accrues (100 µs at 10/s) would never earn its minimum.
      lastRefillNanos = now - Math.max(0L, elapsed - (long) (floor * 1e9 / floorMilliPerSecond));
    }
    balanceMilli = Math.min(maxBalanceMilli, balanceMilli + deposits.sumThenReset() + floor);
    if (balanceMilli >= MILLI) {
      balanceMilli -= MILLI;
      return true;
    }
    return false;
  }

  @Override
  public synchronized String toString() {
    return "RetryBudget{balance=" + balanceMilli / (double) MILLI + '}';
  }
}
