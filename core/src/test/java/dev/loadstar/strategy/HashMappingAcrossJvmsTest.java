package dev.loadstar.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Strategies;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every client must map a key to the same node: a second JVM, started here, maps 10,000 keys with
 * both hash strategies and must agree with this one key for key. A few mappings are also pinned,
 * so a change of hash function or table layout cannot pass unnoticed.
 */
class HashMappingAcrossJvmsTest {

  @Test
  void aSecondJvmMapsEveryKeyToTheSameNode() throws Exception {
    List<String> here = new ArrayList<>();
    for (Strategy s : new Strategy[] {Strategies.ringHash(), Strategies.maglev()}) {
      here.addAll(List.of(HashFixtures.map(HashFixtures.picker(s, HashFixtures.named(10)), 10_000)));
    }

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        HashMappingMain.class.getName())
        .redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = child.getInputStream()) {
      in.transferTo(out);
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isZero();
    List<String> there = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));

    assertThat(there).hasSize(20_000).isEqualTo(here);
  }

  @Test
  void pinnedKeysKeepTheirNodes() {
    String[] ring = HashFixtures.map(HashFixtures.picker(Strategies.ringHash(), HashFixtures.named(10)), 5);
    String[] maglev = HashFixtures.map(HashFixtures.picker(Strategies.maglev(), HashFixtures.named(10)), 5);
    assertThat(String.join(",", ring)).isEqualTo(PINNED_RING);
    assertThat(String.join(",", maglev)).isEqualTo(PINNED_MAGLEV);
  }

  static final String PINNED_RING = "node-2,node-8,node-6,node-4,node-0";
  static final String PINNED_MAGLEV = "node-4,node-2,node-9,node-3,node-5";
}
