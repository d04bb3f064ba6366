package dev.loadstar.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {

  @Test
  void reportShowsLatencyAwareStrategiesAvoidingTheSlowNodeAndNoFailedGets(@TempDir Path dir)
      throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    List<Demo.Result> results =
        Demo.run(600, 4, new PrintStream(buffer, true, StandardCharsets.UTF_8), dir);
    Map<String, Demo.Result> byName =
        results.stream().collect(Collectors.toMap(Demo.Result::strategy, Function.identity()));

    assertThat(byName).containsOnlyKeys(Demo.STRATEGIES);
    byName.values().forEach(r -> {
      assertThat(r.failures()).as("GETs failed for the caller under %s", r.strategy()).isZero();
      int attempts = r.callsPerNode().values().stream().mapToInt(Integer::intValue).sum();
      assertThat(attempts).isEqualTo(r.calls() + r.retries());
    });
    String slow = "node-" + Demo.SLOW;
    int slowRoundRobin = byName.get("round-robin").callsPerNode().get(slow);
    int slowPeakEwma = byName.get("peak-ewma").callsPerNode().get(slow);
    assertThat(slowPeakEwma).isLessThan(slowRoundRobin / 2);
    assertThat(byName.get("round-robin").ejections())
        .as("the dying node is ejected under round robin").isPositive();

    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("peak-ewma", "p99 ms", "retries", "ejections");
    assertThat(Files.readString(dir.resolve("demo-report.json"))).contains("\"strategy\" : \"maglev\"");
    assertThat(Files.readString(dir.resolve("demo-report.svg"))).startsWith("<svg").contains("peak-ewma");
  }

  @Test
  void consulWalkthroughSaysClearlyWhenConsulIsUnreachable() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code = ConsulWalkthrough.run("http://127.0.0.1:" + port,
        new PrintStream(buffer, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .contains("Consul is not reachable at http://127.0.0.1:" + port)
        .contains("consul agent -dev")
        .doesNotContain("Exception\n\tat ");
  }
}
