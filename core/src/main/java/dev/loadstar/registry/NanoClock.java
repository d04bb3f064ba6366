package dev.loadstar.registry;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A {@link Clock} that follows the balancer's nanosecond clock, so resilience4j's open-state
 * timing and Loadstar's own agree, and a test's fake clock drives both. Only differences between
 * its instants mean anything.
 */
final class NanoClock extends Clock {
  private final LongSupplier nanoTime;

  NanoClock(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.EPOCH.plusNanos(nanoTime.getAsLong());
  }

  @Override
  public long millis() {
    return nanoTime.getAsLong() / 1_000_000L;
  }
}
