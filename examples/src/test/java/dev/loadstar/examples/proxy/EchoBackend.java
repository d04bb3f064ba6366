package dev.loadstar.examples.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A backend on a loopback ephemeral port that answers every request with what it received:
 * method, target, headers (lower-case names) and body, as {@link Echo} reads them back. It names
 * itself in {@code X-Backend}, answers with the status asked for in {@code X-Reply-Status}
 * (default 200), and adds hop-by-hop response fields that a proxy must not pass on.
 */
final class EchoBackend implements AutoCloseable {
  private final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "echo-backend");
    t.setDaemon(true);
    return t;
  });

  EchoBackend(String name) throws IOException {
    this.name = name;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::echo);
    server.setExecutor(executor);
    server.start();
  }

  String name() {
    return name;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void echo(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      URI uri = exchange.getRequestURI();
      StringBuilder text = new StringBuilder()
          .append("method ").append(exchange.getRequestMethod()).append('\n')
          .append("target ").append(uri.getRawPath())
          .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append('\n');
      Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      sorted.putAll(exchange.getRequestHeaders());
      sorted.forEach((field, values) -> values.forEach(value -> text.append("header ")
          .append(field.toLowerCase(Locale.ROOT)).append(' ').append(value).append('\n')));
      text.append('\n').append(new String(body, UTF_8));
      byte[] answer = text.toString().getBytes(UTF_8);

      Headers out = exchange.getResponseHeaders();
      out.set("X-Backend", name);
      out.set("X-Reply", "end-to-end");
      out.set("Content-Type", "text/plain; charset=utf-8");
      out.set("Keep-Alive", "timeout=99");
      out.set("Connection", "X-Reply-Hop");
      out.set("X-Reply-Hop", "for the proxy only");
      String asked = exchange.getRequestHeaders().getFirst("X-Reply-Status");
      int status = asked == null ? 200 : Integer.parseInt(asked);
      if (exchange.getRequestMethod().equals("HEAD") || status == 204) {
        if (status != 204) {
          out.set("Content-Length", Integer.toString(answer.length));
        }
        exchange.sendResponseHeaders(status, -1);
      } else {
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
      }
    }
  }

  /** Stops listening and closes open connections: the node is gone. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
