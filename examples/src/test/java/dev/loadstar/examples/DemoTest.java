package dev.loadstar.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void slowNodeGetsLessTrafficUnderPeakEwmaThanUnderRoundRobin() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    List<Demo.Result> results =
        Demo.run(400, 4, new PrintStream(buffer, true, StandardCharsets.UTF_8));
    Map<String, Demo.Result> byName =
        results.stream().collect(Collectors.toMap(Demo.Result::strategy, Function.identity()));

    assertThat(byName).containsOnlyKeys(Demo.STRATEGIES);
    byName.values().forEach(r -> {
      assertThat(r.failures()).isZero();
      assertThat(r.callsPerNode().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(400);
    });
    int slowRoundRobin = byName.get("round-robin").callsPerNode().get("node-3");
    int slowPeakEwma = byName.get("peak-ewma").callsPerNode().getOrDefault("node-3", 0);
    assertThat(slowRoundRobin).isEqualTo(100);
    assertThat(slowPeakEwma).isLessThan(slowRoundRobin / 2);
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("peak-ewma", "p99 ms");
  }
}
