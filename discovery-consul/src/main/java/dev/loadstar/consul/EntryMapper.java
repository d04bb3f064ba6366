package dev.loadstar.consul;

import dev.loadstar.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns Consul health entries into Loadstar nodes.
 *
 * <ul>
 *   <li>host: {@code Service.Address}, else {@code Node.Address} (a service registered without an
 *       address lives at its agent's address);
 *   <li>id: {@code <Consul node>/<Service.ID>}: a service id is only unique per agent;
 *   <li>weight: {@code Service.Weights.Passing}, or {@code Weights.Warning} for an instance in
 *       warning (seen only when passing-only is off); absent weights mean 1, Consul's default;
 *   <li>zone: the service meta key, else the node meta key, given to the builder;
 *   <li>tags and service meta become the node's tags and metadata.
 * </ul>
 * An instance whose checks are critical is left out (with passing-only on Consul already does
 * that). An entry that cannot be mapped (no port, bad address) is skipped and reported once.
 * Nodes come out sorted by id, so the same answer always maps to the same list.
 */
final class EntryMapper {
  private final @Nullable String zoneKey;

  EntryMapper(@Nullable String zoneKey) {
    this.zoneKey = zoneKey;
  }

  /** @param skipped told the id and reason of every entry that was left out as unusable */
  List<Node> map(List<HealthEntry> entries, Consumer<String> skipped) {
    List<Node> nodes = new ArrayList<>(entries.size());
    for (HealthEntry e : entries) {
      if (e == null) {
        skipped.accept("a null entry");
        continue;
      }
      String status = status(e);
      if (status.equals("critical")) {
        continue;
      }
      try {
        nodes.add(node(e, status.equals("warning")));
      } catch (IllegalArgumentException | NullPointerException bad) {
        skipped.accept(describe(e) + ": " + bad.getMessage());
      }
    }
    nodes.sort(Comparator.comparing(Node::id));
    return nodes;
  }

  private Node node(HealthEntry e, boolean warning) {
    HealthEntry.ConsulService s = e.service();
    HealthEntry.ConsulNode n = e.node();
    if (s == null) {
      throw new IllegalArgumentException("no Service");
    }
    String host = s.address() != null && !s.address().isBlank() ? s.address()
        : n != null ? n.address() : null;
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("no address (Service.Address and Node.Address are empty)");
    }
    if (s.port() == null) {
      throw new IllegalArgumentException("no Service.Port");
    }
    String serviceId = s.id() != null && !s.id().isBlank() ? s.id() : s.name();
    String id = (n != null && n.name() != null ? n.name() : host) + "/" + serviceId;
    Node.Builder b = Node.builder().id(id).host(host).port(s.port()).weight(weight(s, warning));
    if (s.tags() != null) {
      s.tags().stream().filter(t -> t != null && !t.isBlank()).forEach(b::tag);
    }
    if (s.meta() != null) {
      s.meta().forEach((k, v) -> {
        if (k != null && !k.isBlank() && v != null) {
          b.metadata(k, v);
        }
      });
    }
    String zone = zone(s.meta(), n == null ? null : n.meta());
    if (zone != null && !zone.isBlank()) {
      b.zone(zone);
    }
    return b.build();
  }

  private static int weight(HealthEntry.ConsulService s, boolean warning) {
    HealthEntry.Weights w = s.weights();
    if (w == null) {
      return 1;
    }
    Integer value = warning ? w.warning() : w.passing();
    return value == null || value < 1 ? 1 : value;
  }

  private @Nullable String zone(@Nullable Map<String, String> serviceMeta,
      @Nullable Map<String, String> nodeMeta) {
    if (zoneKey == null) {
      return null;
    }
    if (serviceMeta != null && serviceMeta.get(zoneKey) != null) {
      return serviceMeta.get(zoneKey);
    }
    return nodeMeta == null ? null : nodeMeta.get(zoneKey);
  }

  /** The worst status of the entry's checks: critical (also maintenance), warning or passing. */
  static String status(HealthEntry e) {
    String worst = "passing";
    if (e.checks() != null) {
      for (HealthEntry.Check c : e.checks()) {
        String s = c == null || c.status() == null ? "passing" : c.status();
        if (s.equals("critical") || s.equals("maintenance")) {
          return "critical";
        }
        if (s.equals("warning")) {
          worst = "warning";
        }
      }
    }
    return worst;
  }

  private static String describe(HealthEntry e) {
    String node = e.node() == null ? "?" : String.valueOf(e.node().name());
    String service = e.service() == null ? "?" : String.valueOf(e.service().id());
    return "entry " + node + "/" + service;
  }
}
