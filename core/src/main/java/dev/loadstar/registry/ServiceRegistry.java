package dev.loadstar.registry;

import static java.util.Objects.requireNonNull;

import dev.loadstar.Lease;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import dev.loadstar.NodeRegistry;
import dev.loadstar.PickContext;
import dev.loadstar.ServiceConfig;
import dev.loadstar.internal.SerialExecutor;
import dev.loadstar.strategy.Strategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The {@link NodeRegistry} behind a {@link dev.loadstar.LoadBalancer}, and the pick path over it.
 * Applications use it through {@code lb.registry()} and {@code lb.pick(...)}; it is public only so
 * the balancer in another package can build it.
 *
 * <p>Thread-safe. Each service has its own update lock; picks take none.
 */
public final class ServiceRegistry implements NodeRegistry {
  private final Strategy defaultStrategy;
  private final Map<String, ServiceConfig> configs;
  private final Environment env;
  private final ConcurrentHashMap<String, ServiceState> services = new ConcurrentHashMap<>();
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final List<HealthListener> healthListeners = new CopyOnWriteArrayList<>();
  private final SerialExecutor events = new SerialExecutor();

  /**
   * @param configs per-service settings; these services are known (with no nodes) from the start
   * @param zone the caller's zone, or null for no zone preference
   * @param zoneMinShare picks stay in {@code zone} while at least this share of its nodes is eligible
   */
  public ServiceRegistry(
      Strategy defaultStrategy,
      Map<String, ServiceConfig> configs,
      RandomGenerator random,
      LongSupplier nanoTime,
      @Nullable String zone,
      double zoneMinShare) {
    this.defaultStrategy = requireNonNull(defaultStrategy, "defaultStrategy");
    this.configs = new ConcurrentHashMap<>(configs);
    this.env = new Environment(requireNonNull(random, "random"), requireNonNull(nanoTime, "nanoTime"),
        new NanoClock(nanoTime), CircuitBreakerRegistry.ofDefaults(), zone, zoneMinShare,
        healthListeners, events);
    configs.keySet().forEach(this::state);
  }

  @Override
  public void update(String service, List<Node> nodes) {
    checkServiceName(service);
    requireNonNull(nodes, () -> "nodes for service '" + service + "'");
    MembershipChange change = state(service).update(nodes);
    if (change != null) {
      for (MembershipListener l : listeners) {
        events.enqueue(() -> l.onChange(change));
      }
      events.drain();
    }
  }

  @Override
  public List<Node> nodes(String service) {
    ServiceState state = services.get(requireNonNull(service, "service"));
    return state == null ? List.of() : state.nodes();
  }

  @Override
  public Set<String> services() {
    return Collections.unmodifiableSet(new TreeSet<>(services.keySet()));
  }

  @Override
  public AutoCloseable addListener(MembershipListener listener) {
    requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Adds a listener for ejections, returns and panic; closing the result removes it. */
  public AutoCloseable addHealthListener(HealthListener listener) {
    requireNonNull(listener, "listener");
    healthListeners.add(listener);
    return () -> healthListeners.remove(listener);
  }

  /** Whether {@code service} was configured or has had an update. */
  public boolean contains(String service) {
    return services.containsKey(service);
  }

  /** Replaces the settings of {@code service}; see {@code LoadBalancer.configure}. */
  public void configure(String service, ServiceConfig config) {
    checkServiceName(service);
    requireNonNull(config, "config");
    configs.put(service, config);
    state(service).configure(config, config.strategy().orElse(defaultStrategy));
    events.drain();
  }

  /** Picks a node of {@code service} and leases it. Lock-free; one allocation (the lease). */
  public Lease pick(String service, PickContext ctx) throws NoAvailableNodeException {
    ServiceState state = services.get(service);
    if (state == null) {
      throw unknown(requireNonNull(service, "service"));
    }
    return state.pick(requireNonNull(ctx, "ctx"));
  }

  /** Live stats of the current members of {@code service}; empty if unknown. For introspection. */
  public List<NodeStats> stats(String service) {
    ServiceState state = services.get(service);
    return state == null ? List.of() : state.stats();
  }

  /** The strategy {@code service} is balanced with. */
  public Strategy strategy(String service) {
    ServiceState state = services.get(service);
    return state != null ? state.strategy() : strategyFor(service);
  }

  /** Every service's nodes and health now, services sorted by name. */
  public List<ServiceSnapshot> snapshot() {
    List<ServiceSnapshot> out = new ArrayList<>();
    for (String name : services()) {
      out.add(services.get(name).snapshot());
    }
    return out;
  }

  /**
   * Time-driven health work for every service: ejected nodes whose wait is over go half-open, and
   * slow-start weights are refreshed. The balancer's health thread calls it periodically; tests
   * call it after moving a fake clock.
   */
  public void tick() {
    for (ServiceState state : services.values()) {
      state.tick();
    }
    events.drain();
  }

  /** Names of the breakers alive in the breaker registry; for tests of breaker lifecycle. */
  Set<String> breakerNames() {
    Set<String> names = new TreeSet<>();
    env.breakers().getAllCircuitBreakers().forEach(b -> names.add(b.getName()));
    return names;
  }

  private ServiceState state(String service) {
    ServiceState existing = services.get(service);
    if (existing != null) {
      return existing;
    }
    return services.computeIfAbsent(service, name -> {
      ServiceConfig config = configs.getOrDefault(name, ServiceConfig.defaults());
      return new ServiceState(name, config, config.strategy().orElse(defaultStrategy), env);
    });
  }

  private Strategy strategyFor(String service) {
    return configs.getOrDefault(service, ServiceConfig.defaults()).strategy().orElse(defaultStrategy);
  }

  private NoAvailableNodeException unknown(String service) {
    return new NoAvailableNodeException(service, "no available node for service '" + service
        + "' (unknown service; known: " + services() + ")");
  }

  /**
   * Checks a service name: not blank, no whitespace (it is used as a URL host).
   *
   * @throws IllegalArgumentException naming the value
   */
  public static void checkServiceName(String service) {
    requireNonNull(service, "service");
    if (service.isBlank() || service.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "service: '" + service + "' (expected: a non-blank name without spaces)");
    }
  }
}
