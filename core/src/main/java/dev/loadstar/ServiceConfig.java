package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.strategy.Strategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one service is balanced: its strategy, its per-node circuit breakers (which eject failing
 * nodes), the panic rule, slow start, and the latency estimate's decay. Services without their own
 * config use {@link #defaults()} with the balancer's default strategy.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServiceConfig {
  /**
   * Peak-EWMA time constant: 10 s, Finagle's and Linkerd's default. Long enough that one fast
   * answer does not erase a slow streak, short enough that a node avoided for slowness is probed
   * again within tens of seconds.
   */
  public static final Duration DEFAULT_EWMA_DECAY = Duration.ofSeconds(10);

  /**
   * Below this share of eligible nodes the service panics and picks among all its nodes: 50%, as
   * Envoy. When most nodes look bad at once the cause is more often the caller's network than the
   * nodes, and failing every request helps nobody.
   */
  public static final double DEFAULT_PANIC_THRESHOLD = 0.5;

  /**
   * At most this share of nodes may be ejected at once: 100%, so by default the panic threshold
   * alone keeps the service reachable. Lower it (Envoy's outlier detection uses 10%) to keep
   * sick-looking nodes in rotation rather than concentrate load on the rest.
   */
  public static final double DEFAULT_MAX_EJECTION_SHARE = 1.0;

  /** A joining or returning node ramps to full weight over 30 s (Envoy's typical window). */
  public static final Duration DEFAULT_SLOW_START_WINDOW = Duration.ofSeconds(30);

  /** A ramping node starts at 10% of its weight (Envoy's {@code min_weight_percent}). */
  public static final double DEFAULT_SLOW_START_MIN_SHARE = 0.1;

  /** Consecutive failures that eject a node with the default breaker. */
  public static final int DEFAULT_EJECTION_FAILURES = 5;

  /**
   * The per-node breaker a balancer wants, not resilience4j's service-level defaults (100 calls
   * before judging, 60 s open):
   * <ul>
   *   <li>count-based window of 10 calls, judged from 5 calls at 50% failures: a dead node is
   *       ejected after 5 consecutive failures (Envoy's {@code consecutive_5xx} is 5) whether or
   *       not it had successes before;
   *   <li>open for 10 s, then 3 trial calls in half-open; half or more failing re-ejects it;
   *   <li>every exception counts as a failure ({@link IOException}s and 5xx outcomes reported by
   *       adapters); slow calls do not (latency is peak EWMA's job).
   * </ul>
   * Leaving the open state is driven by the balancer's own clock, not resilience4j's lazy check,
   * because an ejected node receives no calls that could trigger it.
   */
  public static CircuitBreakerConfig defaultCircuitBreaker() {
    return CircuitBreakerConfig.custom()
        .slidingWindowType(SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(2 * DEFAULT_EJECTION_FAILURES)
        .minimumNumberOfCalls(DEFAULT_EJECTION_FAILURES)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(10))
        .permittedNumberOfCallsInHalfOpenState(3)
        .slowCallRateThreshold(100)
        .writableStackTraceEnabled(false)
        .build();
  }

  private static final CircuitBreakerConfig DEFAULT_BREAKER = defaultCircuitBreaker();
  private static final ServiceConfig DEFAULTS = builder().build();

  private final @Nullable Strategy strategy;
  private final Duration ewmaDecay;
  private final @Nullable CircuitBreakerConfig circuitBreaker;
  private final double panicThreshold;
  private final double maxEjectionShare;
  private final Duration slowStartWindow;
  private final double slowStartMinShare;

  private ServiceConfig(Builder b) {
    this.strategy = b.strategy;
    this.ewmaDecay = b.ewmaDecay;
    this.circuitBreaker = b.circuitBreaker;
    this.panicThreshold = b.panicThreshold;
    this.maxEjectionShare = b.maxEjectionShare;
    this.slowStartWindow = b.slowStartWindow;
    this.slowStartMinShare = b.slowStartMinShare;
  }

  /** The balancer's default strategy and default settings. */
  public static ServiceConfig defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this config. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.strategy = strategy;
    b.ewmaDecay = ewmaDecay;
    b.circuitBreaker = circuitBreaker;
    b.panicThreshold = panicThreshold;
    b.maxEjectionShare = maxEjectionShare;
    b.slowStartWindow = slowStartWindow;
    b.slowStartMinShare = slowStartMinShare;
    return b;
  }

  /** The service's own strategy; empty means the balancer's default. */
  public Optional<Strategy> strategy() {
    return Optional.ofNullable(strategy);
  }

  /** Time constant of the peak-EWMA latency estimate. */
  public Duration ewmaDecay() {
    return ewmaDecay;
  }

  /** The per-node breaker settings; empty when ejection is off. */
  public Optional<CircuitBreakerConfig> circuitBreaker() {
    return Optional.ofNullable(circuitBreaker);
  }

  public double panicThreshold() {
    return panicThreshold;
  }

  public double maxEjectionShare() {
    return maxEjectionShare;
  }

  /** Slow-start window; zero means off. */
  public Duration slowStartWindow() {
    return slowStartWindow;
  }

  public double slowStartMinShare() {
    return slowStartMinShare;
  }

  /**
   * Equal when every setting is; breaker settings compare by identity, because resilience4j's
   * {@code CircuitBreakerConfig} has no value equality (so a re-parsed but identical breaker config
   * counts as a change: {@code JsonFileDiscovery} compares its own parsed settings instead).
   */
  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ServiceConfig)) {
      return false;
    }
    ServiceConfig that = (ServiceConfig) o;
    return Objects.equals(strategy, that.strategy) && ewmaDecay.equals(that.ewmaDecay)
        && circuitBreaker == that.circuitBreaker
        && panicThreshold == that.panicThreshold && maxEjectionShare == that.maxEjectionShare
        && slowStartWindow.equals(that.slowStartWindow)
        && slowStartMinShare == that.slowStartMinShare;
  }

  @Override
  public int hashCode() {
    return Objects.hash(strategy, ewmaDecay, panicThreshold, maxEjectionShare, slowStartWindow);
  }

  @Override
  public String toString() {
    return "ServiceConfig{strategy=" + (strategy == null ? "default" : strategy.name())
        + ", ewmaDecay=" + ewmaDecay + ", ejection=" + (circuitBreaker != null)
        + ", panicThreshold=" + panicThreshold + ", maxEjectionShare=" + maxEjectionShare
        + ", slowStartWindow=" + slowStartWindow + '}';
  }

  /** Builds a {@link ServiceConfig}; {@link #build()} validates every setting. Not thread-safe. */
  public static final class Builder {
    private @Nullable Strategy strategy;
    private Duration ewmaDecay = DEFAULT_EWMA_DECAY;
    private @Nullable CircuitBreakerConfig circuitBreaker = DEFAULT_BREAKER;
    private double panicThreshold = DEFAULT_PANIC_THRESHOLD;
    private double maxEjectionShare = DEFAULT_MAX_EJECTION_SHARE;
    private Duration slowStartWindow = DEFAULT_SLOW_START_WINDOW;
    private double slowStartMinShare = DEFAULT_SLOW_START_MIN_SHARE;

    private Builder() {}

    public Builder strategy(Strategy strategy) {
      this.strategy = requireNonNull(strategy, "strategy");
      return this;
    }

    /** Time constant of the peak-EWMA estimate; default {@link #DEFAULT_EWMA_DECAY}. */
    public Builder ewmaDecay(Duration ewmaDecay) {
      this.ewmaDecay = requireNonNull(ewmaDecay, "ewmaDecay");
      return this;
    }

    /**
     * Per-node breaker settings; default {@link ServiceConfig#defaultCircuitBreaker()}. Checked at
     * {@link #build()}: the breaker must count {@link IOException}s and be able to leave the open
     * state.
     */
    public Builder circuitBreaker(CircuitBreakerConfig config) {
      this.circuitBreaker = requireNonNull(config, "circuitBreaker");
      return this;
    }

    /** Turns ejection off: no breakers, every node always eligible. */
    public Builder noEjection() {
      this.circuitBreaker = null;
      return this;
    }

    /** Share of eligible nodes below which the service panics; 0 disables panic. */
    public Builder panicThreshold(double share) {
      this.panicThreshold = share;
      return this;
    }

    /** Largest share of nodes that may be ejected at once. */
    public Builder maxEjectionShare(double share) {
      this.maxEjectionShare = share;
      return this;
    }

    /** Window over which joining and returning nodes ramp to full weight; zero turns it off. */
    public Builder slowStartWindow(Duration window) {
      this.slowStartWindow = requireNonNull(window, "slowStartWindow");
      return this;
    }

    /** Share of its weight a node starts slow start with. */
    public Builder slowStartMinShare(double share) {
      this.slowStartMinShare = share;
      return this;
    }

    /** @throws IllegalArgumentException naming the setting that is out of range or unusable */
    public ServiceConfig build() {
      if (ewmaDecay.isNegative() || ewmaDecay.isZero()) {
        throw new IllegalArgumentException("ewmaDecay: " + ewmaDecay + " (expected: > 0)");
      }
      checkShare("panicThreshold", panicThreshold, true);
      checkShare("maxEjectionShare", maxEjectionShare, true);
      checkShare("slowStartMinShare", slowStartMinShare, false);
      if (slowStartWindow.isNegative()) {
        throw new IllegalArgumentException(
            "slowStartWindow: " + slowStartWindow + " (expected: >= 0)");
      }
      if (circuitBreaker != null) {
        checkBreaker(circuitBreaker);
      }
      return new ServiceConfig(this);
    }

    private static void checkShare(String field, double value, boolean zeroAllowed) {
      if (!(value >= 0.0 && value <= 1.0) || (!zeroAllowed && value == 0.0)) {
        throw new IllegalArgumentException(field + ": " + value
            + (zeroAllowed ? " (expected: 0.0-1.0)" : " (expected: > 0.0 and <= 1.0)"));
      }
    }

    private static void checkBreaker(CircuitBreakerConfig c) {
      IOException probe = new IOException("connection refused");
      if (!c.getRecordExceptionPredicate().test(probe) || c.getIgnoreExceptionPredicate().test(probe)) {
        throw new IllegalArgumentException("circuitBreaker.recordExceptions: IOException is not"
            + " recorded (expected: connection failures count, or no node is ever ejected)");
      }
      if (c.getSlidingWindowType() == SlidingWindowType.COUNT_BASED
          && c.getMinimumNumberOfCalls() > c.getSlidingWindowSize()) {
        throw new IllegalArgumentException("circuitBreaker.minimumNumberOfCalls: "
            + c.getMinimumNumberOfCalls() + " (expected: <= slidingWindowSize "
            + c.getSlidingWindowSize() + ", or the breaker never opens)");
      }
      if (c.getPermittedNumberOfCallsInHalfOpenState() < 1) {
        throw new IllegalArgumentException("circuitBreaker.permittedNumberOfCallsInHalfOpenState: "
            + c.getPermittedNumberOfCallsInHalfOpenState() + " (expected: >= 1)");
      }
      long waitMillis = c.getWaitIntervalFunctionInOpenState().apply(1);
      if (waitMillis <= 0) {
        throw new IllegalArgumentException("circuitBreaker.waitDurationInOpenState: "
            + waitMillis + " ms (expected: > 0, or an ejected node never returns)");
      }
    }
  }
}
