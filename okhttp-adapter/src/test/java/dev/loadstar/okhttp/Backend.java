package dev.loadstar.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Node;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.jspecify.annotations.Nullable;

/**
 * One node of a test service: a MockWebServer on 127.0.0.1 and an ephemeral port that answers
 * {@code 200} with its own name as the body, unless a test installs another responder. Every
 * request it receives is recorded, in order. Thread-safe.
 */
final class Backend implements AutoCloseable {
  /** Bound on every wait in the fixtures: generous for a loaded CI machine, short for a hang. */
  static final long WAIT_SECONDS = 10;

  private final String name;
  private final MockWebServer server = new MockWebServer();
  private final List<RecordedRequest> received = new CopyOnWriteArrayList<>();
  private final List<Gate> gates = new CopyOnWriteArrayList<>();
  private volatile Function<RecordedRequest, MockResponse> responder = r -> ok();
  private boolean tls;

  private Backend(String name) {
    this.name = name;
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        received.add(request);
        return responder.apply(request);
      }

      @Override
      public void close() {
        gates.forEach(Gate::release);
      }
    });
  }

  /** A plain-HTTP backend, started. */
  static Backend start(String name) throws IOException {
    return start(name, null, List.of(Protocol.HTTP_1_1));
  }

  /** A backend serving TLS with {@code tls} (or plain HTTP if null) and {@code protocols}. */
  static Backend start(String name, @Nullable SSLSocketFactory tls, List<Protocol> protocols)
      throws IOException {
    Backend b = new Backend(name);
    if (tls != null) {
      b.server.useHttps(tls);
      b.tls = true;
    }
    b.server.setProtocols(protocols);
    b.server.setServerSocketFactory(new NoDelayServerSocketFactory());
    b.server.start(InetAddress.getByName("127.0.0.1"), 0);
    return b;
  }

  /** {@code count} plain-HTTP backends named s0, s1, ... */
  static List<Backend> start(int count) throws IOException {
    List<Backend> backends = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      backends.add(start("s" + i));
    }
    return backends;
  }

  /**
   * A loopback port with nothing listening: reserved by binding a socket, then released, so a
   * connect to it is refused.
   */
  static int refusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }

  String name() {
    return name;
  }

  int port() {
    return server.getPort();
  }

  /** {@code http(s)://127.0.0.1:port/path}: this backend addressed directly, not as a service. */
  okhttp3.HttpUrl url(String pathAndQuery) {
    return okhttp3.HttpUrl.get((tls ? "https" : "http") + "://127.0.0.1:" + port() + pathAndQuery);
  }

  Node node() {
    return Node.of("127.0.0.1", port());
  }

  MockWebServer server() {
    return server;
  }

  /** How many requests reached this backend. */
  int requestCount() {
    return received.size();
  }

  /** The requests this backend received, in order. */
  List<RecordedRequest> received() {
    return List.copyOf(received);
  }

  /** The first request this backend receives from now on, or a failed assertion after 10 s. */
  RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest r = server.takeRequest(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(r).as("a request reached %s within %d s", name, WAIT_SECONDS).isNotNull();
    return r;
  }

  /** Answers every request from now on with {@code responder}. */
  void respond(Function<RecordedRequest, MockResponse> responder) {
    this.responder = responder;
  }

  /** Answers every request from now on with {@code response}. */
  void respond(MockResponse response) {
    respond(r -> response);
  }

  /**
   * Holds every request from now on until the returned gate is released, then answers it as
   * {@code then} says. Closing the backend releases the gate.
   */
  Gate hold(Function<RecordedRequest, MockResponse> then) {
    Gate gate = new Gate();
    gates.add(gate);
    respond(r -> {
      gate.arrived.countDown();
      gate.await();
      return then.apply(r);
    });
    return gate;
  }

  /** {@code 200} with this backend's name as the body. */
  MockResponse ok() {
    return new MockResponse.Builder().code(200).body(name).build();
  }

  static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).body("status " + code).build();
  }

  @Override
  public void close() {
    gates.forEach(Gate::release);
    server.close();
  }

  /**
   * Server sockets whose accepted connections have Nagle's algorithm off. MockWebServer writes
   * the headers and the body of a response as separate flushes; with Nagle on, the second waits
   * for the client's delayed ACK, about 40 ms per call on Linux loopback.
   */
  private static final class NoDelayServerSocketFactory extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public Socket accept() throws IOException {
          Socket s = super.accept();
          s.setTcpNoDelay(true);
          return s;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds createServerSocket()");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds createServerSocket()");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds createServerSocket()");
    }
  }

  /** A point a request (or response body) waits at until the test lets it go. */
  static final class Gate {
    final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Waits until a request reached the gate; fails the test after 10 s. */
    void awaitArrival() throws InterruptedException {
      assertThat(arrived.await(WAIT_SECONDS, TimeUnit.SECONDS))
          .as("a request reached the gate within %d s", WAIT_SECONDS).isTrue();
    }

    /** Marks arrival, then blocks until released (at most 10 s, so a server never hangs). */
    void arriveAndAwait() {
      arrived.countDown();
      await();
    }

    void release() {
      released.countDown();
    }

    private void await() {
      try {
        released.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
