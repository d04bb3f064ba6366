package dev.loadstar.discovery;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.discovery.ServicesFileParser.ServiceSpec;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServicesFileParserTest {
  private static final Path FILE = Path.of("/etc/loadstar/services.json");

  private static Map<String, ServiceSpec> parse(String json) {
    return ServicesFileParser.parse(FILE, json.getBytes(UTF_8));
  }

  private static InvalidConfigException error(String json) {
    return catchThrowableOfType(InvalidConfigException.class, () -> parse(json));
  }

  @Test
  void readsEverySettingOfTheDocumentedFormat() {
    Map<String, ServiceSpec> services = parse("""
        {
          "services": {
            "orders": {
              "strategy": "peak-ewma",
              "panicThreshold": 0.4,
              "maxEjectionShare": 0.5,
              "slowStartWindow": "20s",
              "slowStartMinShare": 0.2,
              "ewmaDecay": "PT5S",
              "circuitBreaker": {"enabled": true, "failureRateThreshold": 40, "slidingWindowSize": 20,
                                 "minimumNumberOfCalls": 8, "waitDurationInOpenState": "250ms",
                                 "permittedNumberOfCallsInHalfOpenState": 2},
              "nodes": [
                {"host": "10.0.0.7", "port": 8080, "weight": 2, "zone": "eu-1", "id": "orders-1",
                 "tags": ["version=v2", "canary"], "metadata": {"k": "v"}}
              ]
            }
          }
        }
        """);

    ServiceSpec orders = services.get("orders");
    ServiceConfig config = orders.config();
    assertThat(config.strategy()).hasValueSatisfying(s -> assertThat(s.name()).isEqualTo("peak-ewma"));
    assertThat(config.panicThreshold()).isEqualTo(0.4);
    assertThat(config.maxEjectionShare()).isEqualTo(0.5);
    assertThat(config.slowStartWindow()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.slowStartMinShare()).isEqualTo(0.2);
    assertThat(config.ewmaDecay()).isEqualTo(Duration.ofSeconds(5));
    CircuitBreakerConfig breaker = config.circuitBreaker().orElseThrow();
    assertThat(breaker.getFailureRateThreshold()).isEqualTo(40f);
    assertThat(breaker.getSlidingWindowSize()).isEqualTo(20);
    assertThat(breaker.getMinimumNumberOfCalls()).isEqualTo(8);
    assertThat(breaker.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(250L);
    assertThat(breaker.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(2);
    assertThat(breaker.getSlidingWindowType())
        .as("unset breaker fields keep the balancer's defaults")
        .isEqualTo(ServiceConfig.defaultCircuitBreaker().getSlidingWindowType());
    assertThat(orders.nodes()).containsExactly(Node.builder().id("orders-1").host("10.0.0.7")
        .port(8080).weight(2).zone("eu-1").tag("version=v2").tag("canary").metadata("k", "v")
        .build());
  }

  @Test
  void omittedSettingsAreTheDefaults() {
    ServiceSpec orders = parse("""
        {"services": {"orders": {"nodes": [{"host": "10.0.0.7", "port": 8080}]}}}
        """).get("orders");

    assertThat(orders.config()).isEqualTo(ServiceConfig.defaults());
    assertThat(orders.settings()).isEmpty();
    assertThat(orders.nodes()).containsExactly(Node.of("10.0.0.7", 8080));
  }

  @Test
  void disabledBreakerTurnsEjectionOff() {
    ServiceSpec orders = parse("""
        {"services": {"orders": {"circuitBreaker": {"enabled": false}, "nodes": []}}}
        """).get("orders");

    assertThat(orders.config().circuitBreaker()).isEmpty();
    assertThat(orders.nodes()).isEmpty();
  }

  @Test
  void keepsServicesInFileOrder() {
    Map<String, ServiceSpec> services = parse("""
        {"services": {"b": {"nodes": []}, "a": {"nodes": []}, "c": {"nodes": []}}}
        """);

    assertThat(services.keySet()).containsExactly("b", "a", "c");
  }

  @Test
  void syntaxErrorNamesLineColumnAndWhereInTheDocument() {
    InvalidConfigException e = error("""
        {
          "services": {
            "orders": {
              "nodes": [
                {"host": "10.0.0.7" "port": 8080}
              ]
            }
          }
        }
        """);

    assertThat(e.line()).isEqualTo(5);
    assertThat(e.column()).isEqualTo(29);
    assertThat(e.field()).hasValue("services.orders.nodes[0].host");
    assertThat(e.getMessage())
        .startsWith(FILE + ":5:29: services.orders.nodes[0].host: invalid JSON: Unexpected character");
  }

  @Test
  void builderErrorIsPlacedAtTheValueItNames() {
    InvalidConfigException e = error("""
        {
          "services": {
            "orders": {
              "circuitBreaker": {
                "slidingWindowSize": 4,
                "minimumNumberOfCalls": 8
              },
              "nodes": []
            }
          }
        }
        """);

    assertThat(e.getMessage()).startsWith(FILE + ":6:33: "
        + "services.orders.circuitBreaker.minimumNumberOfCalls: 8 (expected: <= slidingWindowSize 4");
  }

  @Test
  void reportsMissingRequiredFieldsAsMissing() {
    assertThat(error("{}").getMessage())
        .isEqualTo(FILE + ":1:1: services: missing (expected: an object of services)");
    assertThat(error("{\"services\": {\"orders\": {}}}").getMessage()).isEqualTo(FILE
        + ":1:25: services.orders.nodes: missing (expected: an array of nodes, may be empty)");
    assertThat(error("{\"services\": {\"orders\": {\"nodes\": [{\"host\": \"a\"}]}}}").getMessage())
        .isEqualTo(FILE + ":1:36: services.orders.nodes[0].port: missing (expected: 1-65535)");
  }

  @Test
  void reportsWrongTypesNamingTheValue() {
    assertThat(error("{\"services\": {\"o\": {\"nodes\": [{\"host\": \"a\", \"port\": \"80\"}]}}}")
        .getMessage()).endsWith("services.o.nodes[0].port: '80' (expected: an integer, 1-65535)");
    assertThat(error("{\"services\": {\"o\": {\"nodes\": [{\"host\": \"a\", \"port\": 8.5}]}}}")
        .getMessage()).endsWith("services.o.nodes[0].port: 8.5 (expected: an integer, 1-65535)");
    assertThat(error("{\"services\": {\"o\": {\"ewmaDecay\": 10, \"nodes\": []}}}").getMessage())
        .endsWith("services.o.ewmaDecay: 10 (expected: a duration such as 250ms, 10s, 5m, 1h"
            + " or PT10S)");
    assertThat(error("{\"services\": {\"o\": {\"nodes\": {}}}}").getMessage())
        .endsWith("services.o.nodes: an object (expected: an array of nodes)");
    assertThat(error("{\"services\": []}").getMessage())
        .endsWith("services: an array (expected: an object of services)");
  }

  @Test
  void rejectsDuplicateKeysAndDuplicateNodes() {
    assertThat(error("""
        {"services": {"o": {"nodes": [{"host": "a", "port": 80, "port": 81}]}}}
        """).getMessage()).startsWith(FILE + ":1:")
        .contains(": services.o.nodes[0].port: invalid JSON: Duplicate field 'port'");
    assertThat(error("""
        {"services": {"o": {"nodes": [
          {"host": "a", "port": 80},
          {"host": "a", "port": 80}
        ]}}}
        """).getMessage()).isEqualTo(FILE + ":3:3: services.o.nodes[1].id: 'a:80'"
        + " (expected: unique within the service; services.o.nodes[0] has it too)");
  }

  @Test
  void rejectsRangesThatTheBreakerCannotUse() {
    assertThat(error("""
        {"services": {"o": {"circuitBreaker": {"failureRateThreshold": 0}, "nodes": []}}}
        """).getMessage()).endsWith(
            "services.o.circuitBreaker.failureRateThreshold: 0 (expected: > 0 and <= 100)");
    assertThat(error("""
        {"services": {"o": {"circuitBreaker": {"waitDurationInOpenState": "0s"}, "nodes": []}}}
        """).getMessage()).endsWith(
            "services.o.circuitBreaker.waitDurationInOpenState: '0s' (expected: >= 1ms)");
    assertThat(error("""
        {"services": {"o": {"panicThreshold": 1.5, "nodes": []}}}
        """).getMessage()).isEqualTo(
            FILE + ":1:39: services.o.panicThreshold: 1.5 (expected: 0.0-1.0)");
  }

  @Test
  void rejectsContentAfterTheRootObjectAndBadServiceNames() {
    assertThat(error("{\"services\": {}} {}").getMessage())
        .isEqualTo(FILE + ":1:18: an object after the root object (expected: end of file)");
    assertThat(error("{\"services\": {\"my orders\": {\"nodes\": []}}}").getMessage())
        .isEqualTo(FILE + ":1:15: services: 'my orders'"
            + " (expected: a non-blank service name without spaces)");
  }
}
