package dev.loadstar.examples.snippets;

import dev.loadstar.LoadBalancer;
import dev.loadstar.ServiceConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Duration;

/**
 * Snippet: per-node circuit breakers more patient than the defaults (5 failures in a row eject a
 * node for 10 s), for a service whose nodes fail now and then under load.
 */
public final class CustomBreakerSettings {
  private CustomBreakerSettings() {}

  /** The settings of {@code payments}. */
  public static ServiceConfig payments() {
    // README:begin
    ServiceConfig payments = ServiceConfig.builder()
        .circuitBreaker(CircuitBreakerConfig.custom()
            .slidingWindowType(SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)                            // judge a node by its last 20 calls
            .minimumNumberOfCalls(10)                         // once it has had 10;
            .failureRateThreshold(30)                         // eject it at 30% failures,
            .waitDurationInOpenState(Duration.ofSeconds(30))  // keep it out 30 s,
            .permittedNumberOfCallsInHalfOpenState(5)         // then 5 trial calls decide
            .build())
        .maxEjectionShare(0.34)                               // a third of the nodes out at most
        .build();
    // README:end
    return payments;
  }

  /** A balancer with those settings for {@code payments}. */
  public static LoadBalancer balancer(ServiceConfig payments) {
    // README:begin
    LoadBalancer lb = LoadBalancer.builder().service("payments", payments).build();
    // README:end
    return lb;
  }
}
