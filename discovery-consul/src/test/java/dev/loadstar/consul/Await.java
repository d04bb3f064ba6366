package dev.loadstar.consul;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling: waits for a condition with a deadline, never for a fixed time. */
final class Await {
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private Await() {}

  /** Returns as soon as {@code condition} holds; fails with {@code what} after {@code timeout}. */
  static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + what.get());
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  static void until(Duration timeout, BooleanSupplier condition, String what) {
    until(timeout, condition, () -> what);
  }
}
