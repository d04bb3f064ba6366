package dev.loadstar.okhttp;

import dev.loadstar.Node;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Dns;
import org.jspecify.annotations.Nullable;

/**
 * Resolves every host name to one node. An HTTPS call keeps the service name in its URL (so SNI
 * and certificate checks use it) and gets the picked node's {@code NodeDns} through
 * {@code Chain.withDns}. OkHttp's connection {@code Address} includes the {@code Dns}, so calls
 * to different nodes never share a pooled connection, and calls to the same node do: equal by
 * node address.
 *
 * <p>Immutable and thread-safe.
 */
final class NodeDns implements Dns {
  private final String host;
  private final int port;
  private final @Nullable InetAddress literal;

  NodeDns(Node node) {
    this.host = node.host();
    this.port = node.port();
    this.literal = literalAddress(host);
  }

  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    return literal != null ? List.of(literal) : Dns.SYSTEM.lookup(host);
  }

  /** The address if {@code host} is an IP literal; no DNS lookup happens for those. */
  private static @Nullable InetAddress literalAddress(String host) {
    boolean ipv4 = host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    if (!ipv4 && host.indexOf(':') < 0) {
      return null;
    }
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof NodeDns that && that.host.equals(host) && that.port == port;
  }

  @Override
  public int hashCode() {
    return host.hashCode() * 31 + port;
  }

  @Override
  public String toString() {
    return "NodeDns{" + host + ':' + port + '}';
  }
}
