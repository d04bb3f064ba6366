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

/**
 * A few HTTP servers on loopback ephemeral ports, each answering after its own delay: stand-ins for
 * a service's instances. Closing stops them all.
 */
final class Backends implements AutoCloseable {
  private final List<HttpServer> servers = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
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
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.createContext("/", exchange -> {
        try (exchange) {
          sleep(delay);
          byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      });
      server.setExecutor(executor);
      server.start();
      servers.add(server);
      nodes.add(Node.builder().id(name).host("127.0.0.1")
          .port(server.getAddress().getPort()).build());
    }
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
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
