package dev.loadstar.examples.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which header fields a proxy must not pass on: they describe one connection, not the message
 * (RFC 9110 §7.6.1). Names are compared in lower case, as header names are case-insensitive.
 */
final class HopByHop {
  /**
   * The fields RFC 9110 §7.6.1 and RFC 2616 §13.5.1 name as connection-specific, with
   * {@code Proxy-Connection} (a non-standard one old clients send). Any other {@code Proxy-*}
   * field ({@code Proxy-Authorization}, {@code Proxy-Authenticate}) is for this hop too: see
   * {@link #isHopByHop}.
   */
  private static final Set<String> NAMES = Set.of(
      "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private HopByHop() {}

  /** Whether {@code name} is a hop-by-hop field whatever the message says. */
  static boolean isHopByHop(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return NAMES.contains(lower) || lower.startsWith("proxy-");
  }

  /**
   * The field names a message's {@code Connection} header lists ({@code Connection: close, X-Hop}),
   * in lower case: the sender marks them as meant for this hop only.
   */
  static Set<String> listedIn(List<String> connectionValues) {
    Set<String> names = new HashSet<>();
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String name = token.trim();
        if (!name.isEmpty()) {
          names.add(name.toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }
}
