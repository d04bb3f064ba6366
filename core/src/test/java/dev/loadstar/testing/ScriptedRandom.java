package dev.loadstar.testing;

import java.util.random.RandomGenerator;

/**
 * Randomness that always answers the low end of the range: {@code nextInt(n)} is 0 and
 * {@code nextLong()} is 0. Makes "random" start offsets and draws deterministic in tests.
 */
public final class ScriptedRandom implements RandomGenerator {
  public static final ScriptedRandom ZERO = new ScriptedRandom();

  private ScriptedRandom() {}

  @Override
  public long nextLong() {
    return 0L;
  }

  @Override
  public int nextInt(int bound) {
    return 0;
  }
}
