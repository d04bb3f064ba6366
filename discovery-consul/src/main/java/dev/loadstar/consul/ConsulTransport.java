package dev.loadstar.consul;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The HTTP calls Loadstar makes to Consul, behind a small interface so the client library can be
 * swapped. Implementations send the ACL token only as the {@code X-Consul-Token} header.
 *
 * <p>Thread-safe: every watch thread calls it.
 */
interface ConsulTransport extends Closeable {

  /**
   * A GET of {@code path} with {@code query} (names and values, unencoded; the transport encodes
   * them). Blocks for up to the blocking query's wait.
   *
   * @throws IOException when no HTTP answer came (refused, reset, timed out, aborted)
   */
  ConsulAnswer get(String path, List<Map.Entry<String, String>> query) throws IOException;

  /** A PUT of a JSON body. */
  ConsulAnswer put(String path, String json) throws IOException;

  /** Aborts the request {@code thread} is blocked in, if any, so that it returns at once. */
  void abort(Thread thread);
}
