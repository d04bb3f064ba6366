package dev.loadstar.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The default randomness: each call goes to the calling thread's {@link ThreadLocalRandom}, so
 * pickers shared by many threads contend on nothing and allocate nothing.
 *
 * <p>Thread-safe.
 */
public final class ThreadLocalRandomSource implements RandomGenerator {
  public static final ThreadLocalRandomSource INSTANCE = new ThreadLocalRandomSource();

  private ThreadLocalRandomSource() {}

  @Override
  public long nextLong() {
    return ThreadLocalRandom.current().nextLong();
  }

  @Override
  public int nextInt() {
    return ThreadLocalRandom.current().nextInt();
  }

  @Override
  public int nextInt(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }

  @Override
  public double nextDouble() {
    return ThreadLocalRandom.current().nextDouble();
  }

  @Override
  public String toString() {
    return "ThreadLocalRandom";
  }
}
