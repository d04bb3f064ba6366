package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.internal.ThreadLocalRandomSource;
import dev.loadstar.registry.HealthListener;
import dev.loadstar.registry.ServiceRegistry;
import dev.loadstar.registry.ServiceSnapshot;
import dev.loadstar.strategy.Strategy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * <p>Nodes are ejected by per-node circuit breakers and return on their own; a small daemon thread
 * ({@code loadstar-health}) brings ejected nodes back to trial and ramps slow-starting ones.
 * {@link #close()} stops it.
 *
 * <p>Thread-safe.
 */
public final class LoadBalancer implements AutoCloseable {
  /** How often ejected nodes are checked for their return and slow-start weights refreshed. */
  public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofMillis(250);
  /** Picks stay in the caller's zone while at least half its nodes there are eligible. */
  public static final double DEFAULT_ZONE_MIN_ELIGIBLE_SHARE = 0.5;

  private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

  private final ServiceRegistry registry;
  private final ScheduledExecutorService health;

  private LoadBalancer(Builder b) {
    this.registry = new ServiceRegistry(
        b.defaultStrategy, b.services, b.random, b.nanoTime, b.zone, b.zoneMinEligibleShare);
    this.health = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadstar-health");
      t.setDaemon(true);
      return t;
    });
    long every = b.healthInterval.toNanos();
    health.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.NANOSECONDS);
  }

  private void tick() {
    try {
      registry.tick();
    } catch (RuntimeException e) {
      log.warn("health tick failed; will try again", e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The membership of every service; discovery sources update it. */
  public NodeRegistry registry() {
    return registry;
  }

  /**
   * Every service's nodes and their health now: eligible or ejected, breaker state, panic,
   * in-flight requests, latency estimate, effective weight. Records that Jackson serialises.
   */
  public List<ServiceSnapshot> snapshot() {
    return registry.snapshot();
  }

  /**
   * Tells {@code listener} when nodes are ejected or return and when a service panics; see
   * {@link HealthListener}. Closing the result removes it.
   */
  public AutoCloseable addHealthListener(HealthListener listener) {
    return registry.addHealthListener(listener);
  }

  /** Stops the health thread. Picks keep working; ejected nodes then no longer return. */
  @Override
  public void close() {
    health.shutdownNow();
  }

  /** Whether {@code service} is known: configured in the builder or given nodes since. */
  public boolean hasService(String service) {
    return registry.contains(service);
  }

  /**
   * Replaces the settings of {@code service} at run time (a reloaded configuration file): a new
   * strategy rebuilds the picker; new breaker settings give every node a fresh breaker. Nodes keep
   * their in-flight counts and latency estimates. A config equal to the current one changes
   * nothing.
   */
  public void configure(String service, ServiceConfig config) {
    registry.configure(service, config);
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
    private @Nullable String zone;
    private double zoneMinEligibleShare = DEFAULT_ZONE_MIN_ELIGIBLE_SHARE;
    private Duration healthInterval = DEFAULT_HEALTH_INTERVAL;

    private Builder() {}

    /**
     * The caller's zone: picks stay among nodes of this zone while enough of them are eligible
     * (see {@link #zoneMinEligibleShare}), and spill to all zones otherwise.
     */
    public Builder zone(String zone) {
      requireNonNull(zone, "zone");
      if (zone.isBlank()) {
        throw new IllegalArgumentException("zone: '" + zone + "' (expected: not blank)");
      }
      this.zone = zone;
      return this;
    }

    /** Share of the local zone's nodes that must be eligible to keep picks local; default 0.5. */
    public Builder zoneMinEligibleShare(double share) {
      if (!(share > 0.0 && share <= 1.0)) {
        throw new IllegalArgumentException(
            "zoneMinEligibleShare: " + share + " (expected: > 0.0 and <= 1.0)");
      }
      this.zoneMinEligibleShare = share;
      return this;
    }

    /** How often the health thread runs; default {@link #DEFAULT_HEALTH_INTERVAL}. */
    public Builder healthInterval(Duration interval) {
      requireNonNull(interval, "healthInterval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("healthInterval: " + interval + " (expected: > 0)");
      }
      this.healthInterval = interval;
      return this;
    }

    /** The strategy of services without their own; default {@link Strategies#leastRequests()}. */
    public Builder defaultStrategy(Strategy strategy) {
      this.defaultStrategy = requireNonNull(strategy, "strategy");
      return this;
    }

    /** Settings for one service; the service is known from the start, with no nodes. */
    public Builder service(String name, ServiceConfig config) {
      ServiceRegistry.checkServiceName(name);
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
