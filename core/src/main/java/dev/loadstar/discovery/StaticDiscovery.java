package dev.loadstar.discovery;

import static java.util.Objects.requireNonNull;

import dev.loadstar.Node;
import dev.loadstar.NodeRegistry;
import dev.loadstar.registry.ServiceRegistry;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fixed node list per service, for tests, demos and deployments whose nodes never move.
 *
 * <pre>{@code
 * StaticDiscovery.builder()
 *     .service("orders", Node.of("10.0.0.7", 8080), Node.of("10.0.0.8", 8080))
 *     .build()
 *     .applyTo(lb.registry());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class StaticDiscovery {
  private final Map<String, List<Node>> services;

  private StaticDiscovery(Map<String, List<Node>> services) {
    Map<String, List<Node>> copy = new LinkedHashMap<>();
    services.forEach((name, nodes) -> copy.put(checkName(name), checkNodes(name, nodes)));
    this.services = Collections.unmodifiableMap(copy);
  }

  /**
   * The given lists, in the map's iteration order.
   *
   * @throws IllegalArgumentException if a service name is blank or has spaces, or two nodes of
   *     one service share an id
   */
  public static StaticDiscovery of(Map<String, List<Node>> services) {
    return new StaticDiscovery(requireNonNull(services, "services"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Each service's nodes, in the order given; immutable. */
  public Map<String, List<Node>> services() {
    return services;
  }

  /** Pushes every list into {@code registry}; lists equal to the current ones change nothing. */
  public void applyTo(NodeRegistry registry) {
    requireNonNull(registry, "registry");
    services.forEach(registry::update);
  }

  @Override
  public String toString() {
    return "StaticDiscovery" + services;
  }

  private static String checkName(String name) {
    ServiceRegistry.checkServiceName(name);
    return name;
  }

  /** Checked here rather than on {@link #applyTo}, where it would fail half-way through. */
  private static List<Node> checkNodes(String service, List<Node> nodes) {
    requireNonNull(nodes, () -> "nodes for service '" + service + "'");
    List<Node> copy = List.copyOf(nodes);
    Set<String> ids = new HashSet<>();
    for (Node node : copy) {
      if (!ids.add(node.id())) {
        throw new IllegalArgumentException("nodes of service '" + service + "': id '" + node.id()
            + "' twice (expected: unique ids)");
      }
    }
    return copy;
  }

  /** Builds a {@link StaticDiscovery}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, List<Node>> services = new LinkedHashMap<>();

    private Builder() {}

    public Builder service(String name, Node... nodes) {
      return service(name, Arrays.asList(requireNonNull(nodes, "nodes")));
    }

    /** The complete node list of {@code name}; each service may be given once. */
    public Builder service(String name, List<Node> nodes) {
      checkName(name);
      if (services.containsKey(name)) {
        throw new IllegalArgumentException(
            "service: '" + name + "' (expected: each service once, with all its nodes)");
      }
      services.put(name, checkNodes(name, nodes));
      return this;
    }

    public StaticDiscovery build() {
      return new StaticDiscovery(services);
    }
  }
}
