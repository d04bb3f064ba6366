package dev.loadstar.strategy;

import static dev.loadstar.strategy.HashFixtures.map;
import static dev.loadstar.strategy.HashFixtures.named;
import static dev.loadstar.strategy.HashFixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.Strategies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Key movement and balance of ring hash and Maglev, over fixed keys "key-0", "key-1", .... */
class ConsistentHashingTest {

  static Stream<Arguments> strategies() {
    return Stream.of(Arguments.of(Strategies.ringHash()), Arguments.of(Strategies.maglev()));
  }

  @Test
  void ringHashAddingANodeToTenMovesOnlyKeysToTheNewNodeAndNearTheIdealShare() {
    String[] before = map(picker(Strategies.ringHash(), named(10)), 100_000);
    String[] after = map(picker(Strategies.ringHash(), named(11)), 100_000);
    int moved = 0;
    for (int k = 0; k < before.length; k++) {
      if (!before[k].equals(after[k])) {
        moved++;
        assertThat(after[k]).as("key-%d moved", k).isEqualTo("node-10");
      }
    }
    assertThat(moved).isPositive().isLessThanOrEqualTo((int) (1.1 * before.length / 11));
  }

  @Test
  void ringHashRemovingANodeMovesOnlyThatNodesKeys() {
    List<Node> ten = named(10);
    List<Node> nine = new ArrayList<>(ten);
    nine.remove(4);
    String[] before = map(picker(Strategies.ringHash(), ten), 100_000);
    String[] after = map(picker(Strategies.ringHash(), nine), 100_000);
    for (int k = 0; k < before.length; k++) {
      if (!before[k].equals("node-4")) {
        assertThat(after[k]).as("key-%d", k).isEqualTo(before[k]);
      }
    }
  }

  @Test
  void maglevRemovingANodeMovesLittleMoreThanItsKeys() {
    List<Node> ten = named(10);
    List<Node> nine = new ArrayList<>(ten);
    nine.remove(4);
    String[] before = map(picker(Strategies.maglev(), ten), 100_000);
    String[] after = map(picker(Strategies.maglev(), nine), 100_000);
    int moved = 0;
    for (int k = 0; k < before.length; k++) {
      moved += before[k].equals(after[k]) ? 0 : 1;
      if (before[k].equals("node-4")) {
        assertThat(after[k]).isNotEqualTo("node-4");
      }
    }
    assertThat(moved).isLessThanOrEqualTo((int) (1.6 * before.length / 10));
  }

  @Test
  void maglevAddingANodeMovesLittleMoreThanTheIdealShare() {
    String[] before = map(picker(Strategies.maglev(), named(10)), 100_000);
    String[] after = map(picker(Strategies.maglev(), named(11)), 100_000);
    int moved = 0;
    for (int k = 0; k < before.length; k++) {
      moved += before[k].equals(after[k]) ? 0 : 1;
    }
    assertThat(moved).isLessThanOrEqualTo((int) (1.6 * before.length / 11));
  }

  @Test
  void ringHashSpreadsAMillionKeysOverAHundredNodesWithinTenPercent() {
    assertThat(maxOverMean(picker(Strategies.ringHash(), named(100)))).isLessThanOrEqualTo(1.10);
  }

  @Test
  void maglevSpreadsAMillionKeysOverAHundredNodesWithinThreePercent() {
    assertThat(maxOverMean(picker(Strategies.maglev(), named(100)))).isLessThanOrEqualTo(1.03);
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void weightsOneToTwoGiveOneToTwoKeys(Strategy strategy) {
    Picker picker = picker(strategy, List.of(named(0, 1), named(1, 2)));
    Map<String, Integer> counts = counts(picker, 300_000);
    double ratio = counts.get("node-1") / (double) counts.get("node-0");
    assertThat(ratio).isCloseTo(2.0, Offset.offset(0.06));
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void weightsAcrossManyNodesGiveProportionalShares(Strategy strategy) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      nodes.add(named(i, 1 + i % 2));
    }
    Map<String, Integer> counts = counts(picker(strategy, nodes), 300_000);
    long heavy = 0;
    long light = 0;
    for (int i = 0; i < 20; i++) {
      if (i % 2 == 1) {
        heavy += counts.get("node-" + i);
      } else {
        light += counts.get("node-" + i);
      }
    }
    assertThat(heavy / (double) light).isCloseTo(2.0, Offset.offset(0.06));
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void withoutAKeyPicksARandomNodeAndNeverFails(Strategy strategy) {
    Picker picker = picker(strategy, named(5));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      counts.merge(picker.pick(PickContext.none()).node().id(), 1, Integer::sum);
    }
    assertThat(counts).hasSize(5);
    counts.values().forEach(c -> assertThat(c).isBetween(800, 1_200));
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void aRetrySkipsTriedNodesAndOtherwiseKeepsTheKeysNode(Strategy strategy) {
    List<Node> nodes = named(5);
    Picker picker = picker(strategy, nodes);
    for (int k = 0; k < 200; k++) {
      PickContext ctx = PickContext.hashKey("user-" + k);
      Node first = picker.pick(ctx).node();
      assertThat(picker.pick(ctx).node()).isEqualTo(first);
      PickContext retry = ctx.withTried(first);
      Node second = picker.pick(retry).node();
      assertThat(second).isNotEqualTo(first);
      assertThat(picker.pick(retry).node()).as("the retry is sticky too").isEqualTo(second);
      PickContext allTried = retry;
      for (Node n : nodes) {
        allTried = allTried.withTried(n);
      }
      assertThat(picker.pick(allTried)).isNull();
    }
  }

  @ParameterizedTest
  @MethodSource("strategies")
  void stringAndByteKeysOfTheSameUtf8MapAlike(Strategy strategy) {
    Picker picker = picker(strategy, named(7));
    for (String key : List.of("a", "user-17", "sessión-ü-日本", "x".repeat(100))) {
      assertThat(picker.pick(PickContext.hashKey(key)).node()).isEqualTo(
          picker.pick(PickContext.hashKey(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))).node());
    }
  }

  private static Map<String, Integer> counts(Picker picker, int keys) {
    Map<String, Integer> counts = new HashMap<>();
    for (String owner : map(picker, keys)) {
      counts.merge(owner, 1, Integer::sum);
    }
    return counts;
  }

  private static double maxOverMean(Picker picker) {
    Map<String, Integer> counts = counts(picker, 1_000_000);
    assertThat(counts).hasSize(100);
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    return max / (1_000_000 / 100.0);
  }
}
