package dev.loadstar.examples;

import com.sun.net.httpserver.HttpServer;
import dev.loadstar.Node;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few HTTP servers on loopback ephemeral ports, stand-ins for a service's instances: each
 * answers after its own delay, counts the requests it gets, can be switched to failing (503) and
 * answers {@code GET /health} for Consul's checks. Closing stops them all.
 */
final class Backends implements AutoCloseable {
  static {
    // Keep-alive calls to a JDK HttpServer otherwise wait ~40 ms on Nagle's algorithm. Read once,
    // when the server classes load, so it must be set before the first server starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final List<HttpServer> servers = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<AtomicInteger> requests = new ArrayList<>();
  private final List<AtomicBoolean> failing = new ArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "demo-backend");
    t.setDaemon(true);
    return t;
  });

  /** One backend per delay, named node-0, node-1, ... */
  Backends(long... delaysMillis) throws IOException {
    for (int i = 0; i < delaysMillis.length; i++) {
      long delay = delaysMillis[i];
      String name = "node-" + i;
      AtomicInteger count = new AtomicInteger();
      AtomicBoolean fail = new AtomicBoolean();
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
      server.createContext("/health", exchange -> {
        try (exchange) {
          exchange.sendResponseHeaders(fail.get() ? 503 : 200, -1);
        }
      });
      server.createContext("/", exchange -> {
        try (exchange) {
          count.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          if (fail.get()) {
            exchange.sendResponseHeaders(503, -1);
            return;
          }
          sleep(delay);
          byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("X-Served-By", name);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      });
      server.setExecutor(executor);
      server.start();
      servers.add(server);
      requests.add(count);
      failing.add(fail);
      nodes.add(Node.builder().id(name).host("127.0.0.1")
          .port(server.getAddress().getPort()).build());
    }
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** Requests node {@code i} received since the last {@link #reset()}. */
  int requests(int i) {
    return requests.get(i).get();
  }

  void failing(int i, boolean fail) {
    failing.get(i).set(fail);
  }

  /** Stops node {@code i} for good: connections to it are refused from now on. */
  void stop(int i) {
    servers.get(i).stop(0);
  }

  void reset() {
    requests.forEach(r -> r.set(0));
    failing.forEach(f -> f.set(false));
  }

  private static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
    executor.shutdownNow();
  }
}
