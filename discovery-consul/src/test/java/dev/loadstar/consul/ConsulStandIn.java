package dev.loadstar.consul;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A Consul stand-in on WireMock that blocks like Consul: {@code GET /v1/health/service/<name>}
 * with {@code index=N} is held until this stand-in's index for the service differs from N or the
 * query's {@code wait} passes (Consul api-docs/features/blocking), then answered with the current
 * body and {@code X-Consul-Index}. Without {@code index} it answers at once.
 *
 * <p>Tests script faults per service: a persistent {@link #failWith} until {@link #heal}, or
 * one-shot {@link #script} replies used before anything else. Headers are sent in Go's canonical
 * case, as Consul sends them. Binds to 127.0.0.1 on an ephemeral port.
 *
 * <p>Thread-safe: WireMock's Jetty threads block in {@link Blocking#transform} on one monitor.
 */
final class ConsulStandIn implements AutoCloseable {
  static final String HEALTH = "/v1/health/service/";
  /** The ACL token tests use: it must show up in X-Consul-Token headers and nowhere else. */
  static final String TOKEN = "3f5c7c1e-token-that-must-stay-secret-9d2a";
  private static final String TRANSFORMER = "consul-blocking-query";
  /** Consul's default wait when a query has {@code index} but no {@code wait}. */
  private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

  static {
    // Every test that talks to the stand-in has its log output captured from the start.
    LogCapture.install();
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, ServiceState> services = new HashMap<>();
  private final Map<String, List<Seen>> seen = new HashMap<>();
  private final Map<String, Integer> held = new HashMap<>();
  private final Map<String, Reply> failing = new HashMap<>();
  private final Map<String, Deque<Reply>> scripted = new HashMap<>();
  private Duration extraHold = Duration.ZERO;
  private boolean indexHeader = true;
  private boolean released;
  private final Blocking blocking = new Blocking();
  private WireMockServer server;
  private final int port;

  /** What one request looked like when it arrived. */
  record Seen(long nanoTime, String rawUrl, @Nullable String index, @Nullable String waitParam,
      @Nullable String token) {}

  private record ServiceState(long index, String body, long generation) {}

  /**
   * A scripted answer: a status with a body and headers, a network fault, or a hold before a
   * normal answer (a slow Consul).
   */
  record Reply(int status, String body, Map<String, String> headers, @Nullable Fault fault,
      Duration hold) {

    /** Consul's answer while the cluster has no leader (a real message of consul/agent). */
    static Reply noClusterLeader() {
      return text(500, "No cluster leader");
    }

    static Reply tooManyRequests() {
      return text(429, "rate limit exceeded");
    }

    /** A 403 as Consul 1.8 answers an unknown token, with index 0 (see the fixture's notes). */
    static Reply aclNotFound() {
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Content-Type", "text/plain; charset=utf-8");
      h.put("X-Consul-Index", "0");
      h.put("X-Consul-Knownleader", "false");
      h.put("X-Consul-Lastcontact", "0");
      return new Reply(403, Fixtures.text("error-403-acl-not-found.txt"), h, null, Duration.ZERO);
    }

    /** A proxy's error page in front of Consul. */
    static Reply htmlErrorPage(int status) {
      return new Reply(status, "<html>\n<head><title>502 Bad Gateway</title></head>\n"
          + "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>\n"
          + "</body>\n</html>\n", Map.of("Content-Type", "text/html"), null, Duration.ZERO);
    }

    /** 200 with Consul's headers but no body at all. */
    static Reply emptyBody(long index) {
      return new Reply(200, "", consulHeaders(index), null, Duration.ZERO);
    }

    /** 200 with Consul's headers and the first half of {@code body}. */
    static Reply truncated(long index, String body) {
      return new Reply(200, body.substring(0, body.length() / 2), consulHeaders(index), null,
          Duration.ZERO);
    }

    static Reply connectionReset() {
      return new Reply(0, "", Map.of(), Fault.CONNECTION_RESET_BY_PEER, Duration.ZERO);
    }

    /** The normal answer, after holding it for {@code hold}. */
    static Reply slow(Duration hold) {
      return new Reply(-1, "", Map.of(), null, hold);
    }

    static Reply text(int status, String body) {
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Content-Type", "text/plain; charset=utf-8");
      h.put("X-Consul-Knownleader", "false");
      h.put("X-Consul-Lastcontact", "0");
      return new Reply(status, body, h, null, Duration.ZERO);
    }

    boolean isNormalAnswer() {
      return status == -1;
    }
  }

  ConsulStandIn() {
    this.server = newServer(0);
    server.start();
    this.port = server.port();
    stub(server);
  }

  private WireMockServer newServer(int port) {
    var config = wireMockConfig().bindAddress("127.0.0.1")
        .containerThreads(64)
        .notifier(new QuietNotifier())
        .extensions(blocking);
    return new WireMockServer(port == 0 ? config.dynamicPort() : config.port(port));
  }

  private static void stub(WireMockServer server) {
    // Everything unknown gets a plain 404, so WireMock never prints a "not matched" report that
    // would echo request headers (the token) into the test output.
    server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(404)));
    server.stubFor(get(urlPathMatching("/v1/health/service/.+")).atPriority(5)
        .willReturn(aResponse().withTransformers(TRANSFORMER)));
    server.stubFor(put(urlPathMatching("/v1/agent/.+")).atPriority(5)
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")));
  }

  /** A discovery for this stand-in with the short waits tests use: wait 2 s, backoff 20-200 ms. */
  ConsulDiscovery.Builder discovery() {
    return ConsulDiscovery.builder().address(address()).wait(Duration.ofSeconds(2))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
  }

  /** {@code http://127.0.0.1:<port>} */
  String address() {
    return "http://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  WireMockServer server() {
    return server;
  }

  /** Sets a service's index and body and wakes the queries that wait on it. */
  void setService(String name, long index, String body) {
    lock.lock();
    try {
      ServiceState old = services.get(name);
      services.put(name, new ServiceState(index, body, old == null ? 0 : old.generation + 1));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Answers the service's waiting queries now, as if their wait had passed: nothing changed. */
  void wake(String name) {
    lock.lock();
    try {
      ServiceState s = state(name);
      services.put(name, new ServiceState(s.index, s.body, s.generation + 1));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether answers carry {@code X-Consul-Index} (a proxy may strip it). */
  void sendIndexHeader(boolean send) {
    lock.lock();
    try {
      indexHeader = send;
    } finally {
      lock.unlock();
    }
  }

  /** Consul adds up to wait/16 of jitter to a blocking query; this adds a fixed extra hold. */
  void holdBeyondWait(Duration extra) {
    lock.lock();
    try {
      extraHold = extra;
    } finally {
      lock.unlock();
    }
  }

  /** Every query of {@code service} gets {@code reply} until {@link #heal}. */
  void failWith(String service, Reply reply) {
    lock.lock();
    try {
      failing.put(service, reply);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void heal(String service) {
    lock.lock();
    try {
      failing.remove(service);
    } finally {
      lock.unlock();
    }
  }

  /** The next queries of {@code service} get these replies, one each, before anything else. */
  void script(String service, Reply... replies) {
    lock.lock();
    try {
      scripted.computeIfAbsent(service, s -> new ArrayDeque<>()).addAll(List.of(replies));
    } finally {
      lock.unlock();
    }
  }

  /** Ends every hold now and from now on (the stand-in then answers at once). */
  void release() {
    lock.lock();
    try {
      released = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Queries of {@code service} received so far. */
  int requests(String service) {
    lock.lock();
    try {
      return seen.getOrDefault(service, List.of()).size();
    } finally {
      lock.unlock();
    }
  }

  List<Seen> seen(String service) {
    lock.lock();
    try {
      return List.copyOf(seen.getOrDefault(service, List.of()));
    } finally {
      lock.unlock();
    }
  }

  /** Queries of {@code service} being held right now. */
  int held(String service) {
    lock.lock();
    try {
      return held.getOrDefault(service, 0);
    } finally {
      lock.unlock();
    }
  }

  /** Every request WireMock logged, in arrival order. */
  List<LoggedRequest> journal() {
    List<LoggedRequest> all = server.getAllServeEvents().stream()
        .map(ServeEvent::getRequest).collect(Collectors.toCollection(ArrayList::new));
    all.sort((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()));
    return all;
  }

  /**
   * Releases every hold and returns WireMock's journal once it has every health query this
   * stand-in saw (WireMock journals a request when its answer is ready, so a held query is not
   * there yet).
   */
  List<LoggedRequest> settledJournal() {
    release();
    int expected;
    lock.lock();
    try {
      expected = seen.values().stream().mapToInt(List::size).sum();
    } finally {
      lock.unlock();
    }
    Await.until(Duration.ofSeconds(5), () -> journal().stream()
        .filter(r -> r.getUrl().startsWith(HEALTH)).count() >= expected,
        () -> "WireMock's journal to hold " + expected + " health queries");
    return journal().stream().filter(r -> r.getUrl().startsWith(HEALTH)).toList();
  }

  /** Stops listening (connections are then refused); state and counters survive. */
  void stop() {
    lock.lock();
    try {
      released = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    server.stop();
    lock.lock();
    try {
      released = false;
    } finally {
      lock.unlock();
    }
  }

  /** Listens again, on the same port. */
  void restart() {
    server = newServer(port);
    server.start();
    stub(server);
  }

  @Override
  public void close() {
    release();
    server.stop();
  }

  private ServiceState state(String name) {
    return services.getOrDefault(name, new ServiceState(1, "[]", 0));
  }

  static Map<String, String> consulHeaders(long index) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    h.put("Vary", "Accept-Encoding");
    h.put("X-Consul-Default-Acl-Policy", "deny");
    h.put("X-Consul-Effective-Consistency", "leader");
    h.put("X-Consul-Index", Long.toString(index));
    h.put("X-Consul-Knownleader", "true");
    h.put("X-Consul-Lastcontact", "0");
    h.put("X-Consul-Query-Backend", "blocking-query");
    return h;
  }

  /**
   * What Consul answers with {@code ?passing}: only the entries whose checks all pass. A body that
   * is not a JSON array is returned as it is.
   */
  static String passingOnly(String body) {
    try {
      JsonNode all = Fixtures.JSON.readTree(body);
      if (all == null || !all.isArray()) {
        return body;
      }
      ArrayNode kept = Fixtures.JSON.createArrayNode();
      for (JsonNode entry : all) {
        boolean ok = true;
        for (JsonNode check : entry.path("Checks")) {
          ok &= "passing".equals(check.path("Status").asText());
        }
        if (ok) {
          kept.add(entry);
        }
      }
      return kept.toString();
    } catch (IOException e) {
      return body;
    }
  }

  /** Decodes a path segment as Go's url.PathUnescape does ('+' stays '+'). */
  static String decodePathSegment(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Parses a Go duration as Consul's {@code wait} takes it: {@code 2s}, {@code 500ms}, {@code 5m}. */
  static Duration parseWait(@Nullable String wait) {
    if (wait == null || wait.isEmpty()) {
      return DEFAULT_WAIT;
    }
    if (wait.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(wait.substring(0, wait.length() - 2)));
    }
    long n = Long.parseLong(wait.substring(0, wait.length() - 1));
    return switch (wait.charAt(wait.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("wait: " + wait);
    };
  }

  /** The blocking query itself, on WireMock's request thread. */
  private final class Blocking implements ResponseDefinitionTransformerV2 {

    @Override
    public String getName() {
      return TRANSFORMER;
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      LoggedRequest request = event.getRequest();
      String url = request.getUrl();
      int q = url.indexOf('?');
      String service = decodePathSegment(url.substring(HEALTH.length(), q < 0 ? url.length() : q));
      String index = param(request, "index");
      String wait = param(request, "wait");
      String passing = param(request, "passing");
      lock.lock();
      try {
        seen.computeIfAbsent(service, s -> new ArrayList<>()).add(
            new Seen(System.nanoTime(), url, index, wait, request.getHeader("X-Consul-Token")));
        Deque<Reply> queue = scripted.get(service);
        Reply reply = queue == null ? null : queue.poll();
        if (reply == null) {
          reply = failing.get(service);
        }
        if (reply != null && !reply.isNormalAnswer()) {
          return render(reply);
        }
        long deadline = System.nanoTime();
        if (reply != null) {
          deadline += reply.hold().toNanos();
          holdUntil(service, deadline, -1, -1);
        } else if (index != null) {
          deadline += parseWait(wait).plus(extraHold).toNanos();
          ServiceState at = state(service);
          holdUntil(service, deadline, Long.parseLong(index), at.generation);
        }
        Reply failure = failing.get(service);
        if (failure != null && !failure.isNormalAnswer() && reply == null) {
          return render(failure);
        }
        ServiceState now = state(service);
        Map<String, String> headers = consulHeaders(now.index);
        if (!indexHeader) {
          headers.remove("X-Consul-Index");
        }
        String body = passing != null && !passing.equals("false") ? passingOnly(now.body) : now.body;
        return render(new Reply(200, body, headers, null, Duration.ZERO));
      } finally {
        lock.unlock();
      }
    }

    /**
     * Holds (lock held) until the deadline, a release, or, for a blocking query, the service's
     * index moving away from {@code index} or a {@link #wake}.
     */
    private void holdUntil(String service, long deadline, long index, long generation) {
      held.merge(service, 1, Integer::sum);
      try {
        while (!released) {
          if (index >= 0) {
            ServiceState s = state(service);
            if (s.index != index || s.generation != generation || failing.containsKey(service)) {
              return;
            }
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        held.merge(service, -1, Integer::sum);
      }
    }

    private @Nullable String param(LoggedRequest request, String name) {
      var p = request.queryParameter(name);
      return p == null || !p.isPresent() ? null : p.firstValue();
    }

    private ResponseDefinition render(Reply reply) {
      ResponseDefinitionBuilder b = ResponseDefinitionBuilder.responseDefinition();
      if (reply.fault() != null) {
        return b.withFault(reply.fault()).build();
      }
      b.withStatus(reply.status()).withBody(reply.body());
      reply.headers().forEach(b::withHeader);
      return b.build();
    }
  }

  /** WireMock's own chatter stays out of the captured output. */
  private static final class QuietNotifier implements Notifier {
    @Override
    public void info(String message) {}

    @Override
    public void error(String message) {}

    @Override
    public void error(String message, Throwable t) {}
  }
}
