package dev.loadstar.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.registry.ServiceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonFileDiscoveryTest {
  /** Line numbers below count from here: "strategy" is on line 4, the nodes on 6 and 7. */
  private static final String V1 = """
      {
        "services": {
          "orders": {
            "strategy": "round-robin",
            "nodes": [
              {"host": "127.0.0.1", "port": 8080},
              {"host": "127.0.0.1", "port": 8081, "weight": 2}
            ]
          }
        }
      }
      """;

  private static final String V2 = """
      {
        "services": {
          "orders": {
            "strategy": "least-requests",
            "nodes": [
              {"host": "127.0.0.1", "port": 8081, "weight": 2},
              {"host": "127.0.0.1", "port": 8082}
            ]
          },
          "payments": {"nodes": [{"host": "127.0.0.1", "port": 9090}]}
        }
      }
      """;

  private static final List<Node> V1_ORDERS = List.of(
      Node.of("127.0.0.1", 8080), Node.builder().host("127.0.0.1").port(8081).weight(2).build());
  private static final List<Node> V2_ORDERS = List.of(
      Node.builder().host("127.0.0.1").port(8081).weight(2).build(), Node.of("127.0.0.1", 8082));

  @TempDir Path dir;
  private Path file;
  private final LoadBalancer lb = LoadBalancer.builder().build();
  private JsonFileDiscovery discovery;

  @BeforeEach
  void writeFirstVersion() throws IOException {
    file = dir.resolve("services.json");
    Files.writeString(file, V1);
    discovery = JsonFileDiscovery.builder()
        .path(file).loadBalancer(lb).pollInterval(Duration.ofMillis(50)).build();
  }

  @AfterEach
  void close() {
    discovery.close();
  }

  private String strategy(String service) {
    return ((ServiceRegistry) lb.registry()).strategy(service).name();
  }

  /** Writes {@code json} with a modification time clearly after the previous one. */
  private void write(String json) throws IOException {
    FileTime before = Files.getLastModifiedTime(file);
    Files.writeString(file, json);
    Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 10_000));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("within 5 s: " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static Stream<Thread> watchers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("loadstar-json-") && t.isAlive());
  }

  @Test
  void startLoadsServicesNodesAndStrategy() {
    discovery.start();

    assertThat(lb.registry().nodes("orders")).containsExactlyInAnyOrderElementsOf(V1_ORDERS);
    assertThat(strategy("orders")).isEqualTo("round-robin");
    assertThat(discovery.lastError()).isEmpty();
  }

  @Test
  void reloadAppliesAddedAndRemovedNodesNewServicesAndANewStrategy() throws IOException {
    discovery.start();

    write(V2);
    discovery.reload();

    assertThat(lb.registry().nodes("orders")).containsExactlyInAnyOrderElementsOf(V2_ORDERS);
    assertThat(strategy("orders")).isEqualTo("least-requests");
    assertThat(lb.registry().nodes("payments")).containsExactly(Node.of("127.0.0.1", 9090));
  }

  @Test
  void serviceThatLeavesTheFileLosesItsNodes() throws IOException {
    write(V2);
    discovery.start();

    write(V1);
    discovery.reload();

    assertThat(lb.registry().nodes("payments")).isEmpty();
    assertThat(lb.registry().nodes("orders")).containsExactlyInAnyOrderElementsOf(V1_ORDERS);
  }

  static Stream<Arguments> brokenVersions() {
    return Stream.of(
        Arguments.of("bad JSON", V1.replace("\"127.0.0.1\", \"port\": 8080", "\"127.0.0.1\" \"port\": 8080"),
            6, "services.orders.nodes[0]", "invalid JSON"),
        Arguments.of("unknown strategy", V1.replace("round-robin", "round-robn"),
            4, "services.orders.strategy", "'round-robn' (expected one of: round-robin,"),
        Arguments.of("port 0", V1.replace("8081", "0"),
            7, "services.orders.nodes[1].port", "0 (expected: 1-65535)"),
        Arguments.of("negative weight", V1.replace("\"weight\": 2", "\"weight\": -2"),
            7, "services.orders.nodes[1].weight", "-2 (expected: >= 1)"),
        Arguments.of("unknown field", V1.replace("\"port\": 8080", "\"prot\": 8080"),
            6, "services.orders.nodes[0].prot", "unknown field (expected one of: id, host, port"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenVersions")
  void brokenFileKeepsTheOldStateAndSaysWhereAndWhat(
      String name, String broken, int line, String field, String problem) throws IOException {
    discovery.start();

    write(broken);
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, discovery::reload);

    assertThat(e).as("reload throws").isNotNull();
    assertThat(e.getMessage())
        .startsWith(file + ":" + line + ":")
        .contains(field + (name.equals("bad JSON") ? "" : ": " + problem))
        .contains(problem);
    assertThat(e.line()).isEqualTo(line);
    assertThat(discovery.lastError()).hasValue(e.getMessage());
    assertThat(lb.registry().nodes("orders")).containsExactlyInAnyOrderElementsOf(V1_ORDERS);
    assertThat(strategy("orders")).isEqualTo("round-robin");
  }

  private static String breakerFile(int slidingWindowSize, int... ports) {
    StringBuilder nodes = new StringBuilder();
    for (int port : ports) {
      nodes.append(nodes.length() == 0 ? "" : ", ")
          .append("{\"host\": \"127.0.0.1\", \"port\": ").append(port).append('}');
    }
    return "{\"services\": {\"orders\": {\"circuitBreaker\": {\"slidingWindowSize\": "
        + slidingWindowSize + ", \"minimumNumberOfCalls\": 2}, \"nodes\": [" + nodes + "]}}}";
  }

  private String breakerState(int port) {
    return ((ServiceRegistry) lb.registry()).stats("orders").stream()
        .filter(s -> s.node().port() == port).findFirst().orElseThrow().breakerState();
  }

  private void failTwice() throws Exception {
    for (int i = 0; i < 2; i++) {
      try (Lease lease = lb.pick("orders")) {
        lease.failure(new IOException("connection refused"), 1_000_000L);
      }
    }
  }

  @Test
  void reloadWithUnchangedSettingsKeepsTheNodesBreakers() throws Exception {
    write(breakerFile(2, 8080));
    discovery.start();
    failTwice();
    assertThat(breakerState(8080)).isEqualTo("OPEN");

    write(breakerFile(2, 8080, 8081));
    discovery.reload();

    assertThat(breakerState(8080)).as("settings unchanged: not reconfigured").isEqualTo("OPEN");
    assertThat(lb.registry().nodes("orders")).hasSize(2);
  }

  @Test
  void reloadWithChangedBreakerSettingsGivesFreshBreakers() throws Exception {
    write(breakerFile(2, 8080));
    discovery.start();
    failTwice();
    assertThat(breakerState(8080)).isEqualTo("OPEN");

    write(breakerFile(3, 8080));
    discovery.reload();

    assertThat(breakerState(8080)).isEqualTo("CLOSED");
  }

  @Test
  void messageHasFileLineColumnFieldAndExpectation() throws IOException {
    discovery.start();

    write(V1.replace("8081", "0"));

    int column = V1.lines().toList().get(6).indexOf("8081") + 1;
    assertThatThrownBy(discovery::reload).isInstanceOf(InvalidConfigException.class)
        .hasMessage(file + ":7:" + column + ": services.orders.nodes[1].port: 0 (expected: 1-65535)");
  }

  @Test
  void fixingTheFileRecovers() throws IOException {
    discovery.start();
    write(V1.replace("8081", "0"));
    assertThatThrownBy(discovery::reload).isInstanceOf(InvalidConfigException.class);

    write(V2);
    discovery.reload();

    assertThat(discovery.lastError()).isEmpty();
    assertThat(lb.registry().nodes("orders")).containsExactlyInAnyOrderElementsOf(V2_ORDERS);
  }

  @Test
  void invalidFileAtStartThrowsAndStartsNothing() throws IOException {
    write("{\"services\": {\"orders\": {\"nodes\": [{\"host\": \"127.0.0.1\", \"port\": 0}]}}}");

    assertThatThrownBy(discovery::start)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(file + ":1:")
        .hasMessageContaining("services.orders.nodes[0].port: 0 (expected: 1-65535)");
    assertThat(lb.registry().services()).isEmpty();
    assertThat(watchers()).isEmpty();
  }

  @Test
  void missingFileAtStartThrowsNamingThePath() throws IOException {
    Files.delete(file);

    assertThatThrownBy(discovery::start)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith(file + ": cannot read (java.nio.file.NoSuchFileException");
  }

  @Test
  void watcherAppliesAChangeWithinAFewPolls() throws Exception {
    discovery.start();

    write(V2);

    // A reload is applied service by service: wait for the last one, then check them all.
    await("orders and payments updated", () -> lb.registry().nodes("orders").containsAll(V2_ORDERS)
        && lb.registry().nodes("orders").size() == 2
        && lb.registry().nodes("payments").equals(List.of(Node.of("127.0.0.1", 9090))));
    assertThat(strategy("orders")).isEqualTo("least-requests");
    assertThat(lb.registry().nodes("payments")).containsExactly(Node.of("127.0.0.1", 9090));
  }

  @Test
  void watcherReportsABrokenFileAndKeepsTheOldStateThenRecovers() throws Exception {
    discovery.start();

    write(V1.replace("round-robin", "round-robn"));
    await("error reported", () -> discovery.lastError().isPresent());

    assertThat(discovery.lastError().orElseThrow())
        .startsWith(file + ":4:").contains("services.orders.strategy: 'round-robn'");
    assertThat(lb.registry().nodes("orders")).containsExactlyInAnyOrderElementsOf(V1_ORDERS);
    assertThat(strategy("orders")).isEqualTo("round-robin");

    write(V2);
    await("recovered", () -> discovery.lastError().isEmpty()
        && lb.registry().nodes("orders").size() == 2
        && lb.registry().nodes("orders").containsAll(V2_ORDERS));
  }

  @Test
  void watcherSurvivesTheFileDisappearing() throws Exception {
    discovery.start();

    Files.delete(file);
    await("error reported", () -> discovery.lastError().isPresent());
    assertThat(discovery.lastError().orElseThrow()).contains("cannot read");
    assertThat(lb.registry().nodes("orders")).containsExactlyInAnyOrderElementsOf(V1_ORDERS);

    Files.writeString(file, V2);
    await("recovered", () -> discovery.lastError().isEmpty()
        && lb.registry().nodes("orders").containsAll(V2_ORDERS));
  }

  @Test
  void watcherRunsOnOneNamedDaemonThreadThatCloseStops() {
    discovery.start();
    assertThat(watchers()).singleElement().satisfies(t -> {
      assertThat(t.getName()).isEqualTo("loadstar-json-services.json");
      assertThat(t.isDaemon()).isTrue();
    });

    discovery.close();

    assertThat(watchers()).isEmpty();
    assertThatThrownBy(discovery::reload).isInstanceOf(IllegalStateException.class);
    discovery.close();
  }

  @Test
  void pollIntervalMustBePositive() {
    assertThatThrownBy(() -> JsonFileDiscovery.builder().pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval: PT0S (expected: > 0)");
  }
}
