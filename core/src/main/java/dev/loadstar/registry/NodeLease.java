package dev.loadstar.registry;

import dev.loadstar.Lease;
import dev.loadstar.Node;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

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
  /** The breaker whose permission this lease holds; null without a permission. */
  private final @Nullable CircuitBreaker breaker;
  private volatile int state;

  /**
   * @param counted whether the picker already counted the request in flight
   * @param breaker the breaker a permission was acquired from, which this lease must end exactly
   *     once (outcome or release); null if none was
   */
  NodeLease(NodeStats stats, boolean counted, @Nullable CircuitBreaker breaker) {
    this.stats = stats;
    this.node = stats.node();
    this.breaker = breaker;
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
    if (report()) {
      stats.observe(latencyNanos, false);
      if (breaker != null) {
        CircuitBreaker.State before = breaker.getState();
        TimeUnit unit = breaker.getTimestampUnit();
        try {
          breaker.onSuccess(unit.convert(Math.max(0L, latencyNanos), NANOSECONDS), unit);
        } catch (IllegalStateTransitionException raced) {
          // The breaker moved on concurrently (see ServiceState.tryAcquire); the outcome is moot.
        }
        afterOutcome(before);
      }
    }
  }

  @Override
  public void failure(Throwable error, long latencyNanos) {
    requireNonNull(error, "error");
    if (report()) {
      stats.observe(latencyNanos, true);
      if (breaker != null) {
        CircuitBreaker.State before = breaker.getState();
        TimeUnit unit = breaker.getTimestampUnit();
        try {
          breaker.onError(unit.convert(Math.max(0L, latencyNanos), NANOSECONDS), unit, error);
        } catch (IllegalStateTransitionException raced) {
          // The breaker moved on concurrently (see ServiceState.tryAcquire); the outcome is moot.
        }
        afterOutcome(before);
      }
    }
  }

  @Override
  public void close() {
    int before = (int) STATE.getAndBitwiseOr(this, CLOSED);
    if ((before & CLOSED) == 0) {
      stats.release();
      if ((before & REPORTED) == 0 && breaker != null) {
        // Ended without an outcome (cancelled): give the permission back unjudged.
        try {
          breaker.releasePermission();
        } catch (IllegalStateTransitionException raced) {
          // moved on concurrently; nothing to give back
        }
      }
    }
  }

  private void afterOutcome(CircuitBreaker.State before) {
    ServiceState owner = stats.owner;
    if (breaker.getState() != before && owner != null) {
      owner.breakerMoved(stats);
    }
  }

  /** Claims the one outcome; false once reported or closed (an outcome after close is moot). */
  private boolean report() {
    for (int s = state; (s & (REPORTED | CLOSED)) == 0; s = state) {
      if (STATE.compareAndSet(this, s, s | REPORTED)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    int s = state;
    return "Lease{" + node.id() + ((s & REPORTED) != 0 ? ", reported" : "")
        + ((s & CLOSED) != 0 ? ", closed" : ", open") + '}';
  }
}
