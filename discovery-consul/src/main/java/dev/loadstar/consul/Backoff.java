package dev.loadstar.consul;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * the n-th consecutive failure waits a uniformly random time in [0, min(cap, base × 2^n)), which
 * spreads the retries of many clients after a shared Consul outage.
 *
 * <p>Not thread-safe: one per watch.
 */
final class Backoff {
  private final long baseNanos;
  private final long capNanos;
  private final RandomGenerator random;
  private int failures;

  Backoff(Duration base, Duration cap, RandomGenerator random) {
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
    this.random = random;
  }

  /** The wait before the next attempt after one more failure. */
  long nextDelayNanos() {
    double ceiling = Math.min((double) capNanos, baseNanos * Math.pow(2, Math.min(failures++, 60)));
    return (long) (random.nextDouble() * ceiling);
  }

  void reset() {
    failures = 0;
  }

  int failures() {
    return failures;
  }
}
