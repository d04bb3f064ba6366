package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.strategy.Strategy;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one service is balanced: its strategy and the settings of its per-node statistics. Services
 * without their own config use {@link #defaults()} with the balancer's default strategy.
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

  private static final ServiceConfig DEFAULTS = builder().build();

  private final @Nullable Strategy strategy;
  private final Duration ewmaDecay;

  private ServiceConfig(Builder b) {
    this.strategy = b.strategy;
    this.ewmaDecay = b.ewmaDecay;
  }

  /** The balancer's default strategy and default settings. */
  public static ServiceConfig defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The service's own strategy; empty means the balancer's default. */
  public Optional<Strategy> strategy() {
    return Optional.ofNullable(strategy);
  }

  /** Time constant of the peak-EWMA latency estimate. */
  public Duration ewmaDecay() {
    return ewmaDecay;
  }

  @Override
  public String toString() {
    return "ServiceConfig{strategy=" + (strategy == null ? "default" : strategy.name())
        + ", ewmaDecay=" + ewmaDecay + '}';
  }

  /** Builds a {@link ServiceConfig}. Not thread-safe. */
  public static final class Builder {
    private @Nullable Strategy strategy;
    private Duration ewmaDecay = DEFAULT_EWMA_DECAY;

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

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public ServiceConfig build() {
      if (ewmaDecay.isNegative() || ewmaDecay.isZero()) {
        throw new IllegalArgumentException("ewmaDecay: " + ewmaDecay + " (expected: > 0)");
      }
      return new ServiceConfig(this);
    }
  }
}
