package dev.loadstar.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void readsShortFormsAndIso8601() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void rejectsEverythingElseNamingTheValue() {
    for (String bad : new String[] {"10", "10 s", "-5s", "5 minutes", "P", "1.5s", ""}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("'" + bad + "' (expected: a duration such as 250ms, 10s, 5m, 1h or PT10S)");
    }
  }
}
