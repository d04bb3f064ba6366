package dev.loadstar.okhttp;

import dev.loadstar.Node;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.SocketFactory;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * How OkHttp reaches one node of a service for a call that keeps the service name as its host.
 * As the call's {@link Dns} it resolves the service name to the node's addresses; as its
 * {@link SocketFactory} it makes sockets that connect to the node's port whatever port the URL
 * names. The URL, the {@code Host} header, SNI and certificate checks all keep the service name.
 * Any other name (a redirect to another host) resolves through the client's own {@code Dns}, and
 * its connections keep their port.
 *
 * <p>OkHttp's connection {@code Address} includes the {@code Dns}, so calls to different nodes
 * never share a pooled connection (nor an HTTP/2 coalesced one), and calls to the same node do:
 * routes are equal by service, node address and client {@code Dns}. One route is cached per node,
 * so pointing a call at a node allocates nothing but OkHttp's chain copies. For a call rewritten
 * to the node instead, the route holds the node's base URL.
 *
 * <p>Immutable and thread-safe.
 */
final class NodeRoute extends SocketFactory implements Dns {
  private final String service;
  private final String host;
  private final int port;
  private final Dns dns;
  /** The node's address named for the service, if the node is an IP literal. */
  private final @Nullable List<InetAddress> literal;
  private final HttpUrl httpBase;

  NodeRoute(String service, Node node, Dns dns) {
    this.service = service;
    this.host = node.host();
    this.port = node.port();
    this.dns = dns;
    InetAddress address = literalAddress(host);
    this.literal = address == null ? null : List.of(named(address));
    this.httpBase = new HttpUrl.Builder().scheme("http").host(host).port(port).build();
  }

  /** Whether this route serves calls to {@code service} on a client resolving with {@code dns}. */
  boolean fits(String service, Dns dns) {
    return this.service.equals(service) && this.dns == dns;
  }

  int port() {
    return port;
  }

  /** {@code http://host:port/}: the start of every URL rewritten to this node. */
  HttpUrl httpBase() {
    return httpBase;
  }

  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    if (!hostname.equals(service)) {
      return dns.lookup(hostname);
    }
    if (literal != null) {
      return literal;
    }
    List<InetAddress> found = dns.lookup(host);
    List<InetAddress> named = new ArrayList<>(found.size());
    for (InetAddress a : found) {
      named.add(named(a));
    }
    return named;
  }

  /**
   * The address carrying the service as its name: how a socket tells a connection to this node
   * (which takes the node's port) from one to any other host (which keeps its own).
   */
  private InetAddress named(InetAddress address) {
    try {
      return InetAddress.getByAddress(service, address.getAddress());
    } catch (UnknownHostException e) {
      throw new AssertionError("an address of a valid length: " + address, e);
    }
  }

  @Override
  public Socket createSocket() {
    return new NodeSocket();
  }

  // OkHttp makes unconnected sockets and connects them itself; these are never called.
  @Override
  public Socket createSocket(String host, int port) {
    throw new UnsupportedOperationException("connect a socket from createSocket()");
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
    throw new UnsupportedOperationException("connect a socket from createSocket()");
  }

  @Override
  public Socket createSocket(InetAddress host, int port) {
    throw new UnsupportedOperationException("connect a socket from createSocket()");
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) {
    throw new UnsupportedOperationException("connect a socket from createSocket()");
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
    return o instanceof NodeRoute that && that.service.equals(service) && that.host.equals(host)
        && that.port == port && that.dns.equals(dns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(service, host, port);
  }

  @Override
  public String toString() {
    return "NodeRoute{" + service + " -> " + host + ':' + port + '}';
  }

  /**
   * A socket that connects to the node's port when it connects to the node. OkHttp connects to
   * the address its {@code Dns} gave with the URL's port (443 for {@code https://orders/}); the
   * port is the one thing a {@code Dns} cannot say.
   */
  private final class NodeSocket extends Socket {
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (endpoint instanceof InetSocketAddress to && !to.isUnresolved()
          && service.equals(to.getHostString())) {
        endpoint = new InetSocketAddress(to.getAddress(), port);
        try {
          super.connect(endpoint, timeout);
        } catch (ConnectException e) {
          // OkHttp's own message names the URL's port; say which node really refused.
          ConnectException named = new ConnectException(
              e.getMessage() + ": node " + host + ':' + port + " of " + service);
          named.initCause(e);
          throw named;
        }
        return;
      }
      super.connect(endpoint, timeout);
    }
  }
}
