package dev.loadstar.registry;

import dev.loadstar.Lease;
import dev.loadstar.Node;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import static java.util.Objects.requireNonNull;

/** A {@link Lease} on one node's {@link NodeStats}. Thread-safe; each end happens once. */
final class NodeLease implements Lease {
  private static final VarHandle STATE;
  private static final int REPORTED = 1;
  private static final int CLOSED = 2;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(NodeLease.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final NodeStats stats;
  private final Node node;
  private volatile int state;

  /** @param counted whether the picker already counted the request in flight */
  NodeLease(NodeStats stats, boolean counted) {
    this.stats = stats;
    this.node = stats.node();
    if (!counted) {
      stats.acquire();
    }
  }

  NodeStats stats() {
    return stats;
  }

  @Override
  public Node node() {
    return node;
  }

  @Override
  public void success(long latencyNanos) {
    if (mark(REPORTED)) {
      stats.observe(latencyNanos, false);
    }
  }

  @Override
  public void failure(Throwable error, long latencyNanos) {
    requireNonNull(error, "error");
    if (mark(REPORTED)) {
      stats.observe(latencyNanos, true);
    }
  }

  @Override
  public void close() {
    if (mark(CLOSED)) {
      stats.release();
    }
  }

  /** Sets {@code bit}; true if this call set it. */
  private boolean mark(int bit) {
    return ((int) STATE.getAndBitwiseOr(this, bit) & bit) == 0;
  }

  @Override
  public String toString() {
    int s = state;
    return "Lease{" + node.id() + ((s & REPORTED) != 0 ? ", reported" : "")
        + ((s & CLOSED) != 0 ? ", closed" : ", open") + '}';
  }
}
