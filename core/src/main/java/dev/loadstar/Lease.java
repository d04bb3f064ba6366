package dev.loadstar;

/**
 * One request's claim on a picked node. While the lease is open the node counts the request as in
 * flight, which is what load-aware strategies balance on.
 *
 * <p>Report the outcome once with {@link #success} or {@link #failure} (latency feeds the node's
 * latency estimate), then {@link #close()} when the request is completely over (for HTTP: when the
 * response body is consumed or closed). Only the first outcome counts and only the first close
 * releases the in-flight count; later calls do nothing. Closing without an outcome (a cancelled
 * call) releases the node without judging it.
 *
 * <p>Thread-safe: the outcome and the close may come from different threads.
 */
public interface Lease extends AutoCloseable {

  /** The node this request goes to. */
  Node node();

  /**
   * The request succeeded.
   *
   * @param latencyNanos time from sending to the response (for HTTP: to the response headers)
   */
  void success(long latencyNanos);

  /**
   * The request failed because of the node (connection refused, reset, a 5xx answer).
   *
   * @param latencyNanos time from sending until the failure was seen
   */
  void failure(Throwable error, long latencyNanos);

  /** Ends the request: releases the node's in-flight count. Idempotent. */
  @Override
  void close();
}
