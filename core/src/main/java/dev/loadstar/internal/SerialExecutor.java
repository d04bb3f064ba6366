package dev.loadstar.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time in the order they were queued, on whichever calling thread drains
 * first (gRPC's {@code SynchronizationContext} idea). Lets a component queue callbacks while it
 * holds a lock and run them after releasing it, without reordering them.
 *
 * <p>Thread-safe.
 */
public final class SerialExecutor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /** Queues {@code task}; it runs on the next {@link #drain()}. */
  public void enqueue(Runnable task) {
    queue.add(task);
  }

  /**
   * Runs queued tasks until none is left, unless another thread is already draining (that thread
   * will run them). Exceptions from tasks are logged and do not stop the drain.
   */
  public void drain() {
    while (!queue.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        Runnable task;
        while ((task = queue.poll()) != null) {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.warn("listener failed; ignoring it", e);
          }
        }
      } finally {
        draining.set(false);
      }
    }
  }
}
