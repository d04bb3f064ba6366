package dev.loadstar.okhttp;

import dev.loadstar.Node;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import javax.net.SocketFactory;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * How OkHttp reaches one node. For a call that keeps the service name as its host: as the call's
 * {@link Dns} it resolves every name to the node's address, and as its {@link SocketFactory} it
 * makes sockets that connect to the node's port whatever port the URL names. The URL, the
 * {@code Host} header, SNI and certificate checks all keep the service name.
 *
 * <p>OkHttp's connection {@code Address} includes both the {@code Dns} and the socket factory, so
 * calls to different nodes never share a pooled connection (nor an HTTP/2 coalesced one), and
 * calls to the same node do: routes are equal by node address. One route is cached per node, so
 * pointing a call at a node allocates nothing but OkHttp's chain copy. For a call rewritten to the
 * node instead, the route holds the node's base URL.
 *
 * <p>Immutable and thread-safe.
 */
final class NodeRoute extends SocketFactory implements Dns {
  private final String host;
  private final int port;
  private final @Nullable InetAddress literal;
  private final HttpUrl httpBase;

  NodeRoute(Node node) {
    this.host = node.host();
    this.port = node.port();
    this.literal = literalAddress(host);
    this.httpBase = new HttpUrl.Builder().scheme("http").host(host).port(port).build();
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
    return literal != null ? List.of(literal) : Dns.SYSTEM.lookup(host);
  }

  @Override
  public Socket createSocket() {
    return new NodeSocket(port);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return connected(new InetSocketAddress(address, port),
        new InetSocketAddress(localAddress, localPort));
  }

  private Socket connected(InetSocketAddress remote, InetSocketAddress... local)
      throws IOException {
    Socket socket = createSocket();
    try {
      if (local.length > 0) {
        socket.bind(local[0]);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
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
    return o instanceof NodeRoute that && that.host.equals(host) && that.port == port;
  }

  @Override
  public int hashCode() {
    return host.hashCode() * 31 + port;
  }

  @Override
  public String toString() {
    return "NodeRoute{" + host + ':' + port + '}';
  }

  /**
   * A socket that connects to its node's port. OkHttp connects to the address its {@code Dns}
   * gave with the URL's port (443 for {@code https://orders/}); the port is the one thing a
   * {@code Dns} cannot say.
   */
  private static final class NodeSocket extends Socket {
    private final int port;

    NodeSocket(int port) {
      this.port = port;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (endpoint instanceof InetSocketAddress to && to.getPort() != port) {
        endpoint = to.isUnresolved()
            ? InetSocketAddress.createUnresolved(to.getHostString(), port)
            : new InetSocketAddress(to.getAddress(), port);
      }
      super.connect(endpoint, timeout);
    }
  }
}
