package dev.loadstar.okhttp;

import okhttp3.Response;

/**
 * Decides whether a response counts against its node (feeds its circuit breaker as a failure).
 * The default counts 5xx: the node could not serve; 4xx are the caller's problem. An
 * {@link java.io.IOException} always counts as a failure.
 *
 * <p>Implementations must be thread-safe and must not read the body.
 */
@FunctionalInterface
public interface OutcomeClassifier {

  boolean isFailure(Response response);

  /** 5xx are failures. */
  static OutcomeClassifier serverErrors() {
    return response -> response.code() >= 500;
  }
}
