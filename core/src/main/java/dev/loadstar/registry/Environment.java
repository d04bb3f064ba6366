package dev.loadstar.registry;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * What every service of one balancer shares: randomness, the clock (as nanos and as a
 * {@link Clock} for resilience4j), the breaker registry, the caller's zone preference, and the
 * health listeners with the queue that delivers their events in order.
 */
record Environment(
    RandomGenerator random,
    LongSupplier nanoTime,
    Clock clock,
    CircuitBreakerRegistry breakers,
    @Nullable String zone,
    double zoneMinShare,
    java.util.List<HealthListener> healthListeners,
    dev.loadstar.internal.SerialExecutor events) {

  void emit(java.util.function.Consumer<HealthListener> event) {
    for (HealthListener l : healthListeners) {
      events.enqueue(() -> event.accept(l));
    }
  }
}
