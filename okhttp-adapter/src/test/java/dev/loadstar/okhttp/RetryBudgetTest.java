package dev.loadstar.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The retry budget alone, on a fake clock that moves only when the test moves it. */
class RetryBudgetTest {
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private static int withdrawAll(RetryBudget budget, int attempts) {
    int granted = 0;
    for (int i = 0; i < attempts; i++) {
      granted += budget.tryWithdraw() ? 1 : 0;
    }
    return granted;
  }

  @Test
  void allowsMinimumPlusRatioOfCallsWhenNoTimePasses() {
    RetryBudget budget = new RetryBudget(0.2, 10, 100, nanos::get);
    for (int i = 0; i < 100; i++) {
      budget.deposit();
    }

    // 10 a second to start with, plus 0.2 × 100 calls; the 31st and later are refused.
    assertThat(withdrawAll(budget, 1_000)).isEqualTo(10 + 20);
  }

  @Test
  void depositsAfterTheBalanceRanOutAllowMoreRetries() {
    RetryBudget budget = new RetryBudget(0.2, 10, 100, nanos::get);
    assertThat(withdrawAll(budget, 100)).isEqualTo(10);

    for (int i = 0; i < 5; i++) {
      budget.deposit();
    }

    assertThat(withdrawAll(budget, 100)).isEqualTo(1);
  }

  @Test
  void refillsMinimumPerSecondAsTimePasses() {
    RetryBudget budget = new RetryBudget(0.2, 10, 100, nanos::get);
    assertThat(withdrawAll(budget, 100)).isEqualTo(10);

    advance(Duration.ofSeconds(1));
    assertThat(withdrawAll(budget, 100)).isEqualTo(10);

    advance(Duration.ofMillis(500));
    assertThat(withdrawAll(budget, 100)).isEqualTo(5);
  }

  @Test
  void refillsMinimumPerSecondEvenWhenAskedMoreOftenThanItAccrues() {
    RetryBudget budget = new RetryBudget(0.0, 10, 100, nanos::get);
    assertThat(withdrawAll(budget, 100)).isEqualTo(10);

    // Asked every 50 µs for one second: 10 a second is one every 100 ms, however often asked.
    int granted = 0;
    for (int i = 0; i < 20_000; i++) {
      advance(Duration.ofNanos(50_000));
      granted += budget.tryWithdraw() ? 1 : 0;
    }

    assertThat(granted).isBetween(9, 10);
  }

  @Test
  void balanceIsCappedAtMaxBalance() {
    RetryBudget budget = new RetryBudget(1.0, 0, 25, nanos::get);
    for (int i = 0; i < 1_000; i++) {
      budget.deposit();
    }
    advance(Duration.ofHours(1));

    assertThat(withdrawAll(budget, 1_000)).isEqualTo(25);
  }

  @Test
  void zeroMinimumAndZeroRatioAllowsNoRetries() {
    RetryBudget budget = new RetryBudget(0.0, 0, 10, nanos::get);
    budget.deposit();
    advance(Duration.ofSeconds(10));

    assertThat(withdrawAll(budget, 10)).isZero();
  }

  @Test
  void rejectsSettingsOutOfRangeNamingTheValue() {
    assertThatThrownBy(() -> new RetryBudget(1.5, 10, 100, nanos::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio: 1.5 (expected: 0.0-1.0)");
    assertThatThrownBy(() -> new RetryBudget(Double.NaN, 10, 100, nanos::get))
        .hasMessageStartingWith("ratio: NaN");
    assertThatThrownBy(() -> new RetryBudget(0.2, -1, 100, nanos::get))
        .hasMessage("minPerSecond: -1 (expected: >= 0)");
    assertThatThrownBy(() -> new RetryBudget(0.2, 10, 0, nanos::get))
        .hasMessage("maxBalance: 0 (expected: >= 1)");
  }
}
