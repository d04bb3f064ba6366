package dev.loadstar.consul;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP answer from Consul, as the watch needs it.
 *
 * @param status the HTTP status code
 * @param body the body as text ("" when empty)
 * @param index {@code X-Consul-Index}, or null when absent or not a number
 * @param headers every response header, names lower-cased (Consul sends {@code X-Consul-Knownleader}
 *     in Go's canonical case; HTTP header names are case-insensitive)
 */
record ConsulAnswer(int status, String body, @Nullable Long index, Map<String, String> headers) {

  @Nullable String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
