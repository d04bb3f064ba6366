package dev.loadstar.consul;

import java.util.function.LongSupplier;

/**
 * A token bucket: at most {@code burst} requests at once, refilled at {@code perSecond}. A Consul
 * that answers blocking queries at once (an index that keeps moving, a bug, a proxy that does not
 * block) then costs a bounded request rate instead of a spin.
 *
 * <p>Not thread-safe: one per watch.
 */
final class RateLimiter {
  private final double perNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  RateLimiter(double perSecond, int burst, LongSupplier nanoTime) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes a token; returns how long to wait first (0 if one is there). */
  long reserveNanos() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) (-tokens / perNano);
  }
}
