package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token bucket that bounds a watch's request rate, on a fake clock. */
class RateLimiterTest {
  private long now = 1_000_000_000L;

  @Test
  void burstIsFreeThenOneRequestPerInterval() {
    RateLimiter limiter = new RateLimiter(10, 10, () -> now);

    for (int i = 0; i < 10; i++) {
      assertThat(limiter.reserveNanos()).as("request %d of the burst", i).isZero();
    }
    // The 11th waits one interval (100 ms at 10/s), the 12th two.
    assertThat(limiter.reserveNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(limiter.reserveNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
  }

  @Test
  void tokensRefillWithTimeUpToTheBurst() {
    RateLimiter limiter = new RateLimiter(10, 10, () -> now);
    for (int i = 0; i < 10; i++) {
      limiter.reserveNanos();
    }

    now += TimeUnit.MILLISECONDS.toNanos(350); // 3.5 tokens back
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.reserveNanos()).isZero();
    }
    assertThat(limiter.reserveNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));

    now += TimeUnit.SECONDS.toNanos(60); // a long quiet time refills only the burst
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.reserveNanos()).isZero();
    }
    assertThat(limiter.reserveNanos()).isPositive();
  }

  @Test
  void steadyRateNeverExceedsTheLimit() {
    RateLimiter limiter = new RateLimiter(10, 10, () -> now);
    long start = now;
    for (int i = 0; i < 110; i++) {
      now += limiter.reserveNanos(); // the watch waits as told, then sends
    }
    // 110 requests: 10 from the burst, then 100 at 10/s = 10 s.
    assertThat(now - start).isEqualTo(TimeUnit.SECONDS.toNanos(10));
  }
}
