package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.internal.ThreadLocalRandomSource;
import dev.loadstar.registry.ServiceRegistry;
import dev.loadstar.strategy.Strategy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Picks a node of a named service for each request. Membership comes in through
 * {@link #registry()}; each service's strategy turns it into an immutable picker that every
 * {@link #pick} reads without locking.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.peakEwma()).build();
 * lb.registry().update("orders", List.of(Node.of("10.0.0.7", 8080), Node.of("10.0.0.8", 8080)));
 * try (Lease lease = lb.pick("orders")) {
 *   // call lease.node(), then lease.success(latencyNanos) or lease.failure(error, latencyNanos)
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class LoadBalancer {
  private final ServiceRegistry registry;

  private LoadBalancer(Builder b) {
    this.registry = new ServiceRegistry(b.defaultStrategy, b.services, b.random, b.nanoTime);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The membership of every service; discovery sources update it. */
  public NodeRegistry registry() {
    return registry;
  }

  /** Whether {@code service} is known: configured in the builder or given nodes since. */
  public boolean hasService(String service) {
    return registry.contains(service);
  }

  /** Picks a node of {@code service}; same as {@code pick(service, PickContext.none())}. */
  public Lease pick(String service) throws NoAvailableNodeException {
    return registry.pick(service, PickContext.none());
  }

  /**
   * Picks a node of {@code service} for one request and leases it; close the lease when the
   * request is over. Lock-free.
   *
   * @throws NoAvailableNodeException if the service is unknown, has no nodes, or every node is
   *     excluded by {@code ctx}; the message says which
   */
  public Lease pick(String service, PickContext ctx) throws NoAvailableNodeException {
    return registry.pick(service, ctx);
  }

  /** Builds a {@link LoadBalancer}. Not thread-safe. */
  public static final class Builder {
    /** least-requests: robust without latency feedback; see {@link Strategies#leastRequests()}. */
    private Strategy defaultStrategy = Strategies.leastRequests();
    private final Map<String, ServiceConfig> services = new LinkedHashMap<>();
    private RandomGenerator random = ThreadLocalRandomSource.INSTANCE;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder() {}

    /** The strategy of services without their own; default {@link Strategies#leastRequests()}. */
    public Builder defaultStrategy(Strategy strategy) {
      this.defaultStrategy = requireNonNull(strategy, "strategy");
      return this;
    }

    /** Settings for one service; the service is known from the start, with no nodes. */
    public Builder service(String name, ServiceConfig config) {
      requireNonNull(name, "service");
      if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "service: '" + name + "' (expected: a non-blank name without spaces)");
      }
      services.put(name, requireNonNull(config, "config"));
      return this;
    }

    /**
     * Randomness for pickers; must be thread-safe. Default: each thread's
     * {@link java.util.concurrent.ThreadLocalRandom}. Tests pass a seeded or scripted source.
     */
    public Builder random(RandomGenerator random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** The clock latency estimates are stamped with; default {@link System#nanoTime()}. */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    public LoadBalancer build() {
      return new LoadBalancer(this);
    }
  }
}
