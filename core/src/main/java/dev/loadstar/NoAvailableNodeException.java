package dev.loadstar;

import java.io.IOException;

/**
 * No node of a service could be picked: the service is unknown, has no nodes, or every candidate
 * was excluded (already tried in this call, ejected, or without the required tags). The message
 * names the service and what the balancer knew about it.
 *
 * <p>An {@link IOException} so that HTTP clients surface it as the call's failure.
 */
public final class NoAvailableNodeException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String service;

  public NoAvailableNodeException(String service, String message) {
    super(message);
    this.service = service;
  }

  /** The service that had no node to offer. */
  public String service() {
    return service;
  }
}
