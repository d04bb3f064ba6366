package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Full-jitter exponential backoff: the ceiling doubles per failure up to the cap. */
class BackoffTest {

  /** A random source that always returns just below 1: each delay is then its ceiling. */
  private static final RandomGenerator TOP = () -> -1L; // nextDouble() = (2^53 - 1) / 2^53

  @Test
  void ceilingDoublesFromBaseUpToTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), TOP);

    long[] millis = new long[7];
    for (int i = 0; i < millis.length; i++) {
      millis[i] = Math.round(backoff.nextDelayNanos() / 1e6);
    }

    assertThat(millis).containsExactly(20, 40, 80, 160, 200, 200, 200);
    assertThat(backoff.failures()).isEqualTo(7);
  }

  @Test
  void resetStartsAgainFromTheBase() {
    Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), TOP);
    for (int i = 0; i < 5; i++) {
      backoff.nextDelayNanos();
    }

    backoff.reset();

    assertThat(backoff.failures()).isZero();
    assertThat(Math.round(backoff.nextDelayNanos() / 1e6)).isEqualTo(20);
  }

  @Test
  void delaysAreSpreadOverTheWholeRange() {
    // Seed 42; 10,000 draws at the cap: the mean of U[0, 200 ms) is 100 ms (tolerance 5 ms).
    Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), new SplittableRandom(42));
    for (int i = 0; i < 10; i++) {
      backoff.nextDelayNanos();
    }
    long sum = 0;
    long max = 0;
    for (int i = 0; i < 10_000; i++) {
      long d = backoff.nextDelayNanos();
      assertThat(d).isBetween(0L, TimeUnit.MILLISECONDS.toNanos(200));
      sum += d;
      max = Math.max(max, d);
    }
    assertThat(sum / 10_000 / 1e6).isCloseTo(100, org.assertj.core.data.Offset.offset(5.0));
    assertThat(max).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(195));
  }

  @Test
  void manyFailuresDoNotOverflow() {
    Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), TOP);
    long last = 0;
    for (int i = 0; i < 200; i++) {
      last = backoff.nextDelayNanos();
    }
    assertThat(last).isBetween(TimeUnit.SECONDS.toNanos(29), TimeUnit.SECONDS.toNanos(30));
  }
}
