package dev.loadstar.examples.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import dev.loadstar.LoadBalancer;
import dev.loadstar.NoAvailableNodeException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards each exchange of the JDK server to the service through the balanced OkHttp client, and
 * relays the answer back. Thread-safe: the server's workers call it concurrently.
 */
final class Forwarder implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  /**
   * Request fields this hop sets itself: {@code Host} and the framing ({@code Content-Length},
   * {@code Expect}, which the JDK server already answered with {@code 100 Continue}) come from
   * OkHttp; the {@code X-Forwarded-*} fields are rewritten.
   */
  private static final Set<String> SET_BY_PROXY = Set.of("host", "content-length", "expect",
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host");

  /** Methods OkHttp sends only with a body, even an empty one. */
  private static final Set<String> BODY_REQUIRED =
      Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

  private static final RequestBody EMPTY = RequestBody.create(new byte[0]);

  private final String service;
  private final HttpUrl base;
  private final OkHttpClient client;
  private final LoadBalancer lb;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object idle = new Object();

  Forwarder(String service, OkHttpClient client, LoadBalancer lb) {
    this.service = service;
    this.base = new HttpUrl.Builder().scheme("http").host(service).build();
    this.client = client;
    this.lb = lb;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    inFlight.incrementAndGet();
    try {
      forward(exchange);
    } finally {
      if (inFlight.decrementAndGet() == 0) {
        synchronized (idle) {
          idle.notifyAll();
        }
      }
    }
  }

  /** Waits until no exchange is being forwarded, at most {@code timeout}; true if none is. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
    }
    return true;
  }

  private void forward(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    Request request;
    try {
      request = upstreamRequest(exchange, method);
    } catch (IllegalArgumentException e) {
      reply(exchange, 400, "400 bad request: " + e.getMessage() + "\n");
      return;
    }
    if (!lb.hasService(service)) {
      // Without this the interceptor would pass the call through to a DNS lookup of the name.
      reply(exchange, 503, unavailable());
      return;
    }
    Response response;
    try {
      response = client.newCall(request).execute();
    } catch (IOException e) {
      NoAvailableNodeException none = noNode(e);
      if (none != null) {
        log.warn("{} {}: 503: {}", method, path, none.getMessage());
        reply(exchange, 503, unavailable());
      } else {
        log.warn("{} {}: 502: service '{}' failed: {}", method, path, service, e.toString());
        reply(exchange, 502, "502 bad gateway: service '" + service + "' did not answer\n");
      }
      return;
    }
    try (response) {
      relay(exchange, response, method);
    }
    // Only now: if relaying failed half-way, the server drops the connection instead, so that a
    // truncated chunked body is not ended with the last chunk as if it were complete.
    exchange.close();
  }

  private String unavailable() {
    return "503 service unavailable: no available node for service '" + service + "'\n";
  }

  private Request upstreamRequest(HttpExchange exchange, String method) {
    URI uri = exchange.getRequestURI();
    String path = uri.getRawPath();
    HttpUrl url = base.newBuilder()
        .encodedPath(path == null || path.isEmpty() ? "/" : path)
        .encodedQuery(uri.getRawQuery())
        .build();
    com.sun.net.httpserver.Headers in = exchange.getRequestHeaders();
    Set<String> listed = HopByHop.listedIn(valuesOf(in, "Connection"));
    Headers.Builder headers = new Headers.Builder();
    for (Map.Entry<String, List<String>> field : in.entrySet()) {
      String name = field.getKey();
      String lower = name.toLowerCase(Locale.ROOT);
      if (HopByHop.isHopByHop(name) || listed.contains(lower) || SET_BY_PROXY.contains(lower)) {
        continue;
      }
      for (String value : field.getValue()) {
        headers.addUnsafeNonAscii(name, value);
      }
    }
    headers.set("X-Forwarded-For", forwardedFor(valuesOf(in, "X-Forwarded-For"),
        exchange.getRemoteAddress()));
    headers.set("X-Forwarded-Proto", exchange instanceof HttpsExchange ? "https" : "http");
    String host = in.getFirst("Host");
    if (host != null && !host.isBlank()) {
      headers.set("X-Forwarded-Host", host);
    }
    return new Request.Builder()
        .url(url)
        .headers(headers.build())
        .method(method, body(exchange, method))
        .build();
  }

  /** The client's chain, {@code 203.0.113.9, 10.0.0.1}, with the client's address appended. */
  private static String forwardedFor(List<String> prior, InetSocketAddress client) {
    String ip = client.getAddress() != null
        ? client.getAddress().getHostAddress()
        : client.getHostString();
    List<String> chain = new ArrayList<>();
    for (String value : prior) {
      if (!value.isBlank()) {
        chain.add(value.trim());
      }
    }
    chain.add(ip);
    return String.join(", ", chain);
  }

  private static @Nullable RequestBody body(HttpExchange exchange, String method) {
    if (method.equals("GET") || method.equals("HEAD")) {
      return null;
    }
    com.sun.net.httpserver.Headers in = exchange.getRequestHeaders();
    long length;
    if (in.containsKey("Transfer-Encoding")) {
      length = -1;
    } else {
      String declared = in.getFirst("Content-Length");
      length = declared == null ? 0 : Long.parseLong(declared.trim());
    }
    if (length != 0) {
      return new StreamedRequestBody(exchange.getRequestBody(), length);
    }
    return BODY_REQUIRED.contains(method) ? EMPTY : null;
  }

  /** Status, end-to-end headers and body, streamed. */
  private static void relay(HttpExchange exchange, Response response, String method)
      throws IOException {
    int code = response.code();
    // HEAD answers and 304s carry the length of a body they do not send: pass it on as is.
    boolean noBody = method.equals("HEAD") || code == 304 || code == 204 || code < 200;
    boolean keepLength = method.equals("HEAD") || code == 304;
    Headers upstream = response.headers();
    Set<String> listed = HopByHop.listedIn(upstream.values("Connection"));
    com.sun.net.httpserver.Headers out = exchange.getResponseHeaders();
    for (String name : upstream.names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (HopByHop.isHopByHop(name) || listed.contains(lower)
          || (lower.equals("content-length") && !keepLength)) {
        continue;
      }
      out.put(name, new ArrayList<>(upstream.values(name)));
    }
    if (noBody) {
      exchange.sendResponseHeaders(code, -1);
      return;
    }
    ResponseBody body = response.body();
    long length = body.contentLength();
    // The JDK server's convention: 0 means "chunked", -1 means "no body".
    exchange.sendResponseHeaders(code, length < 0 ? 0 : length == 0 ? -1 : length);
    if (length != 0) {
      OutputStream os = exchange.getResponseBody();
      body.byteStream().transferTo(os);
      os.close();
    }
  }

  private static void reply(HttpExchange exchange, int code, String text) throws IOException {
    byte[] bytes = text.getBytes(UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
    if (!head) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  private static List<String> valuesOf(com.sun.net.httpserver.Headers headers, String name) {
    List<String> values = headers.get(name);
    return values == null ? List.of() : values;
  }

  /** The balancer's "no node" failure, however OkHttp wrapped it (a call timeout does). */
  private static @Nullable NoAvailableNodeException noNode(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof NoAvailableNodeException none) {
        return none;
      }
    }
    return null;
  }
}
