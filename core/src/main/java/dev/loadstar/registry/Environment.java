package dev.loadstar.registry;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * What every service of one balancer shares: randomness, the clock (as nanos and as a
 * {@link Clock} for resilience4j), the breaker registry, and the caller's zone preference.
 */
record Environment(
    RandomGenerator random,
    LongSupplier nanoTime,
    Clock clock,
    CircuitBreakerRegistry breakers,
    @Nullable String zone,
    double zoneMinShare) {}
