package dev.loadstar.consul;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Consul bodies under {@code src/test/resources/consul/} (copied from the shared fixtures, see
 * the {@code .source.md} notes and README.md there) and bodies derived from them.
 */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static final String REDIS_CURRENT = "health-service-redis-current.json";
  static final String REDIS_1_4 = "health-service-redis-consul-1.4-era.json";
  static final String REDIS_0_8 = "health-service-redis-consul-0.8-era.json";
  /** Derived: the agent-health sample wrapped as /v1/health/service entries (README.md). */
  static final String WEB_DERIVED = "health-service-web-derived-from-agent-sample.json";
  static final String EMPTY_LIST = "empty-list-with-real-headers.json";

  private Fixtures() {}

  static String text(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/consul/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /consul/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ArrayNode tree(String name) {
    try {
      return (ArrayNode) JSON.readTree(text(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<HealthEntry> entries(String body) {
    try {
      return JSON.readValue(body, new TypeReference<List<HealthEntry>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One instance of {@code service}: the entry of health-service-redis-current.json with the
   * Consul node renamed to {@code node}, node and service address set to {@code address} (also in
   * the tagged addresses) and the service name and id set to {@code service}; checks stay passing.
   */
  static ObjectNode instance(String service, String node, String address) {
    ObjectNode e = (ObjectNode) tree(REDIS_CURRENT).get(0).deepCopy();
    ObjectNode n = (ObjectNode) e.get("Node");
    n.put("Node", node);
    n.put("Address", address);
    ((ObjectNode) n.get("TaggedAddresses")).put("lan", address).put("wan", address);
    ObjectNode s = (ObjectNode) e.get("Service");
    s.put("ID", service);
    s.put("Service", service);
    s.put("Address", address);
    ((ObjectNode) s.get("TaggedAddresses").get("lan")).put("address", address);
    for (JsonNode c : e.get("Checks")) {
      ((ObjectNode) c).put("Node", node);
      if (!c.get("ServiceID").asText().isEmpty()) {
        ((ObjectNode) c).put("ServiceID", service).put("ServiceName", service)
            .put("CheckID", "service:" + service).put("Name", "Service '" + service + "' check");
      }
    }
    return e;
  }

  /** Sets the status of the entry's service check (not serfHealth). */
  static ObjectNode withServiceCheck(ObjectNode entry, String status) {
    for (JsonNode c : entry.get("Checks")) {
      if (!c.get("ServiceID").asText().isEmpty()) {
        ((ObjectNode) c).put("Status", status);
      }
    }
    return entry;
  }

  /** {@code count} instances of {@code service} on nodes n1..n<count> at 10.0.0.1..count. */
  static String instances(String service, int count) {
    ArrayNode all = JSON.createArrayNode();
    for (int i = 1; i <= count; i++) {
      all.add(instance(service, "n" + i, "10.0.0." + i));
    }
    return all.toString();
  }

  static String body(JsonNode... entries) {
    ArrayNode all = JSON.createArrayNode();
    for (JsonNode e : entries) {
      all.add(e);
    }
    return all.toString();
  }
}
