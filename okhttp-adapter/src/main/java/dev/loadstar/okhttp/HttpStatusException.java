package dev.loadstar.okhttp;

import java.io.IOException;

/**
 * The failure reported to a node's breaker when the classifier judges a response a failure (by
 * default a 5xx). Never thrown to the caller, who gets the response itself.
 */
public final class HttpStatusException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int code;

  public HttpStatusException(int code) {
    super("HTTP " + code);
    this.code = code;
  }

  /** No stack trace: it is an outcome record, created on every judged response. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  public int code() {
    return code;
  }
}
