package dev.loadstar.discovery;

import static com.fasterxml.jackson.core.JsonToken.END_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_ARRAY;
import static com.fasterxml.jackson.core.JsonToken.START_OBJECT;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.registry.ServiceRegistry;
import dev.loadstar.Strategies;
import dev.loadstar.strategy.Strategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the services file described in {@link JsonFileDiscovery}: the schema, on top of a
 * {@link JsonCursor} that knows where each value is. Validates the whole file and returns nothing
 * partial: the first problem throws.
 *
 * <p>Not thread-safe; one instance per parse.
 */
final class ServicesFileParser {
  /**
   * One service as the file describes it. {@code settings} holds the settings as written, so that
   * a reload can tell whether they changed: {@link ServiceConfig#equals} compares breaker
   * configs by identity, and every parse builds a new one.
   */
  record ServiceSpec(ServiceConfig config, Map<String, Object> settings, List<Node> nodes) {}

  /** Duplicate keys are errors: with two "port"s, which one did the author mean? */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final String SERVICE_FIELDS = "strategy, panicThreshold, maxEjectionShare,"
      + " slowStartWindow, slowStartMinShare, ewmaDecay, circuitBreaker, nodes";
  private static final String BREAKER_FIELDS = "enabled, failureRateThreshold, slidingWindowSize,"
      + " minimumNumberOfCalls, waitDurationInOpenState, permittedNumberOfCallsInHalfOpenState";
  private static final String NODE_FIELDS = "id, host, port, weight, zone, tags, metadata";

  private final JsonCursor in;

  private ServicesFileParser(JsonCursor in) {
    this.in = in;
  }

  /**
   * The services of the file, in file order.
   *
   * @throws InvalidConfigException naming the file, line, column and field of the first problem
   */
  static Map<String, ServiceSpec> parse(Path file, byte[] content) {
    JsonParser p = null;
    try {
      p = JSON.createParser(content);
      try (JsonParser closing = p) {
        return new ServicesFileParser(new JsonCursor(file, closing)).root();
      }
    } catch (JsonProcessingException e) {
      throw JsonCursor.syntax(file, e, p);
    } catch (IOException e) {
      throw new InvalidConfigException(file, 0, 0, null, "cannot parse: " + e, e);
    }
  }

  private Map<String, ServiceSpec> root() throws IOException {
    in.next();
    JsonLocation start = in.here();
    in.expect(START_OBJECT, "", "an object with \"services\"");
    Map<String, ServiceSpec> services = null;
    while (in.nextField()) {
      String name = in.name();
      JsonLocation nameAt = in.here();
      in.next();
      if (!name.equals("services")) {
        throw in.unknown(name, nameAt, "services");
      }
      services = services();
    }
    if (services == null) {
      throw in.error("services", start, "missing (expected: an object of services)");
    }
    if (in.next() != null) {
      throw in.error(
          "", in.here(), in.describe() + " after the root object (expected: end of file)");
    }
    return services;
  }

  private Map<String, ServiceSpec> services() throws IOException {
    in.expect(START_OBJECT, "services", "an object of services");
    Map<String, ServiceSpec> services = new LinkedHashMap<>();
    while (in.nextField()) {
      String name = in.name();
      try {
        ServiceRegistry.checkServiceName(name);
      } catch (IllegalArgumentException bad) {
        throw in.error("services", in.here(),
            "'" + name + "' (expected: a non-blank service name without spaces)");
      }
      in.next();
      services.put(name, service("services." + name));
    }
    return services;
  }

  private ServiceSpec service(String at) throws IOException {
    JsonLocation start = in.record(at);
    in.expect(START_OBJECT, at, "an object with \"nodes\"");
    ServiceConfig.Builder config = ServiceConfig.builder();
    Map<String, Object> settings = new TreeMap<>();
    List<Node> nodes = null;
    while (in.nextField()) {
      String name = in.name();
      String field = at + "." + name;
      JsonLocation nameAt = in.here();
      in.next();
      in.record(field);
      switch (name) {
        case "strategy" -> config.strategy(strategy(field, settings));
        case "panicThreshold" ->
            config.panicThreshold(put(settings, name, in.number(field, "0.0-1.0")));
        case "maxEjectionShare" ->
            config.maxEjectionShare(put(settings, name, in.number(field, "0.0-1.0")));
        case "slowStartMinShare" ->
            config.slowStartMinShare(put(settings, name, in.number(field, "> 0.0 and <= 1.0")));
        case "slowStartWindow" -> config.slowStartWindow(put(settings, name, in.duration(field)));
        case "ewmaDecay" -> config.ewmaDecay(put(settings, name, in.duration(field)));
        case "circuitBreaker" -> circuitBreaker(field, config, settings);
        case "nodes" -> nodes = nodes(field);
        default -> throw in.unknown(field, nameAt, SERVICE_FIELDS);
      }
    }
    if (nodes == null) {
      throw in.error(at + ".nodes", start, "missing (expected: an array of nodes, may be empty)");
    }
    try {
      return new ServiceSpec(config.build(), settings, nodes);
    } catch (IllegalArgumentException e) {
      throw in.located(e, at, start);
    }
  }

  private Strategy strategy(String field, Map<String, Object> settings) throws IOException {
    String name = in.string(field);
    try {
      return put(settings, "strategy", Strategies.byName(name));
    } catch (IllegalArgumentException e) {
      throw in.error(field, in.here(), JsonCursor.problem(e));
    }
  }

  /** Overrides of {@link ServiceConfig#defaultCircuitBreaker()}; {@code enabled: false}: none. */
  private void circuitBreaker(String at, ServiceConfig.Builder config, Map<String, Object> settings)
      throws IOException {
    JsonLocation start = in.here();
    in.expect(START_OBJECT, at, "an object of breaker settings");
    CircuitBreakerConfig.Builder breaker =
        CircuitBreakerConfig.from(ServiceConfig.defaultCircuitBreaker());
    boolean enabled = true;
    boolean overridden = false;
    while (in.nextField()) {
      String name = in.name();
      String field = at + "." + name;
      JsonLocation nameAt = in.here();
      in.next();
      in.record(field);
      Object value = switch (name) {
        case "enabled" -> enabled = in.bool(field);
        case "failureRateThreshold" -> {
          double rate = in.number(field, "> 0 and <= 100");
          if (!(rate > 0 && rate <= 100)) {
            throw in.error(field, in.here(), in.describe() + " (expected: > 0 and <= 100)");
          }
          breaker.failureRateThreshold((float) rate);
          yield rate;
        }
        case "slidingWindowSize" -> {
          int n = in.atLeastOne(field);
          breaker.slidingWindowSize(n);
          yield n;
        }
        case "minimumNumberOfCalls" -> {
          int n = in.atLeastOne(field);
          breaker.minimumNumberOfCalls(n);
          yield n;
        }
        case "permittedNumberOfCallsInHalfOpenState" -> {
          int n = in.atLeastOne(field);
          breaker.permittedNumberOfCallsInHalfOpenState(n);
          yield n;
        }
        case "waitDurationInOpenState" -> {
          Duration wait = in.duration(field);
          if (wait.toMillis() < 1) {
            throw in.error(field, in.here(), in.describe() + " (expected: >= 1ms)");
          }
          breaker.waitDurationInOpenState(wait);
          yield wait;
        }
        default -> throw in.unknown(field, nameAt, BREAKER_FIELDS);
      };
      overridden |= !name.equals("enabled");
      settings.put("circuitBreaker." + name, value);
    }
    if (!enabled) {
      config.noEjection();
    } else if (overridden) {
      try {
        config.circuitBreaker(breaker.build());
      } catch (IllegalArgumentException e) {
        throw in.error(at, start, String.valueOf(e.getMessage()));
      }
    }
  }

  private List<Node> nodes(String at) throws IOException {
    in.expect(START_ARRAY, at, "an array of nodes");
    List<Node> nodes = new ArrayList<>();
    Map<String, Integer> indexById = new HashMap<>();
    while (in.next() != END_ARRAY) {
      String field = at + "[" + nodes.size() + "]";
      Node node = node(field);
      Integer other = indexById.putIfAbsent(node.id(), nodes.size());
      if (other != null) {
        JsonLocation id = in.recorded(field + ".id");
        throw in.error(field + ".id", id != null ? id : in.recorded(field), "'" + node.id()
            + "' (expected: unique within the service; " + at + "[" + other + "] has it too)");
      }
      nodes.add(node);
    }
    return nodes;
  }

  private Node node(String at) throws IOException {
    JsonLocation start = in.record(at);
    in.expect(START_OBJECT, at, "an object with \"host\" and \"port\"");
    Node.Builder node = Node.builder();
    boolean hasHost = false;
    boolean hasPort = false;
    while (in.nextField()) {
      String name = in.name();
      String field = at + "." + name;
      JsonLocation nameAt = in.here();
      in.next();
      in.record(field);
      switch (name) {
        case "id" -> node.id(in.string(field));
        case "host" -> {
          node.host(in.string(field));
          hasHost = true;
        }
        case "port" -> {
          node.port(in.integer(field, "1-65535"));
          hasPort = true;
        }
        case "weight" -> node.weight(in.integer(field, ">= 1"));
        case "zone" -> node.zone(in.string(field));
        case "tags" -> tags(field, node);
        case "metadata" -> metadata(field, node);
        default -> throw in.unknown(field, nameAt, NODE_FIELDS);
      }
    }
    if (!hasHost) {
      throw in.error(at + ".host", start, "missing (expected: a host name or IP address)");
    }
    if (!hasPort) {
      throw in.error(at + ".port", start, "missing (expected: 1-65535)");
    }
    try {
      return node.build();
    } catch (IllegalArgumentException e) {
      throw in.located(e, at, start);
    }
  }

  private void tags(String at, Node.Builder node) throws IOException {
    in.expect(START_ARRAY, at, "an array of strings");
    for (int i = 0; in.next() != END_ARRAY; i++) {
      String field = at + "[" + i + "]";
      try {
        node.tag(in.string(field));
      } catch (IllegalArgumentException e) {
        throw in.error(field, in.here(), JsonCursor.problem(e));
      }
    }
  }

  private void metadata(String at, Node.Builder node) throws IOException {
    in.expect(START_OBJECT, at, "an object of string values");
    while (in.nextField()) {
      String key = in.name();
      if (key.isBlank()) {
        throw in.error(at, in.here(), "key '" + key + "' (expected: not blank)");
      }
      in.next();
      node.metadata(key, in.string(at + "." + key));
    }
  }

  /** Remembers a setting as written, for {@link ServiceSpec#settings()}. */
  private static <T> T put(Map<String, Object> settings, String name, T value) {
    settings.put(name, value instanceof Strategy s ? s.name() : value);
    return value;
  }
}
