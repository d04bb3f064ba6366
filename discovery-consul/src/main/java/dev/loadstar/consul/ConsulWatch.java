package dev.loadstar.consul;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loadstar.Node;
import dev.loadstar.NodeRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one service's nodes in a registry equal to Consul's healthy instances, by one blocking
 * query at a time on its own thread ({@code loadstar-consul-<service>}).
 *
 * <p>Follows Consul's blocking-query contract (api-docs/features/blocking): send the last
 * {@code X-Consul-Index} as {@code index}; an answer only means "maybe changed", so the node list
 * is compared and published only when it really changed; an index that goes backwards resets to 0
 * (a full read); an index of 0 or none is taken as 1, never 0, which would make every query return
 * at once. A token bucket bounds the request rate whatever Consul does.
 *
 * <p>On any failure (no connection, timeout, 5xx such as "No cluster leader", 429, a body that is
 * not the expected JSON) the last good list stays, the index resets, and the watch backs off
 * exponentially with full jitter. Failures are logged once per change of state, never per retry,
 * with the service and the Consul address, never the token.
 */
final class ConsulWatch implements Closeable, Runnable {
  private static final Logger log = LoggerFactory.getLogger(ConsulWatch.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final TypeReference<List<HealthEntry>> ENTRIES = new TypeReference<>() {};
  /** How often close() repeats the abort while the watch thread is still running. */
  private static final long ABORT_RETRY_MILLIS = 20;

  private final String service;
  private final NodeRegistry registry;
  private final ConsulTransport transport;
  private final ConsulDiscovery.Settings settings;
  private final EntryMapper mapper;
  private final Backoff backoff;
  private final RateLimiter limiter;
  private final Thread thread;
  private volatile boolean closed;

  private long index;
  private @Nullable List<Node> published;
  /** The last failure logged, so a repeat is not logged again. */
  private @Nullable String failing;
  private final Set<String> reportedSkips = new HashSet<>();

  ConsulWatch(String service, NodeRegistry registry, ConsulTransport transport,
      ConsulDiscovery.Settings settings) {
    this.service = service;
    this.registry = registry;
    this.transport = transport;
    this.settings = settings;
    this.mapper = new EntryMapper(settings.zoneMetaKey());
    this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap(), settings.random());
    this.limiter = new RateLimiter(settings.maxRequestsPerSecond(),
        Math.max(1, (int) Math.ceil(settings.maxRequestsPerSecond())), System::nanoTime);
    this.thread = new Thread(this, "loadstar-consul-" + service);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  @Override
  public void run() {
    while (!closed) {
      pause(limiter.reserveNanos());
      if (closed) {
        return;
      }
      try {
        poll();
      } catch (RuntimeException e) {
        // Never let the watch die: treat it like any other failure.
        fail("unexpected error: " + e, e);
      }
    }
  }

  private void poll() {
    ConsulAnswer answer;
    try {
      answer = transport.get("/v1/health/service/" + encodePath(service), query());
    } catch (IOException e) {
      if (!closed) {
        fail("no answer from Consul (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", null);
      }
      return;
    }
    if (answer.status() == 403) {
      fail("Consul refused the ACL token (403 " + trim(answer.body())
          + "): the token is missing, unknown, or lacks service:read on '" + service + "'", null);
      return;
    }
    if (answer.status() != 200) {
      fail("Consul answered " + answer.status() + " " + trim(answer.body()), null);
      return;
    }
    List<HealthEntry> entries;
    try {
      entries = JSON.readValue(answer.body(), ENTRIES);
      if (entries == null) {
        throw new IOException("body is JSON null, expected a list");
      }
    } catch (IOException e) {
      fail("Consul's answer is not a list of health entries (" + firstLine(e.getMessage())
          + "); body starts: " + trim(answer.body()), null);
      return;
    }
    long previous = index;
    Long sent = answer.index();
    long next = sent == null || sent < 1 ? 1 : sent;
    index = next < previous ? 0 : next;
    // Only an index Consul really sent proves "no change": without one (a proxy that strips
    // headers) or with 0, every answer is compared, or a change would never be applied.
    if (sent != null && sent >= 1 && next == previous && published != null) {
      recovered();
      return; // the wait passed without a change
    }
    List<Node> nodes = mapper.map(entries, this::skipped);
    if (nodes.equals(published)) {
      recovered();
      return;
    }
    if (nodes.isEmpty()) {
      boolean filtered = "true".equalsIgnoreCase(answer.header("X-Consul-Results-Filtered-By-ACLs"));
      log.warn("Consul at {} lists no {}instance of service '{}'{}; applying the empty list",
          settings.address(), settings.passingOnly() ? "passing " : "", service,
          filtered ? " (Consul says results were filtered by ACLs: check the token's policy)" : "");
    }
    registry.update(service, nodes);
    published = nodes;
    // After the update: a registry that rejects the list (it throws) is still a failure, so it is
    // logged once rather than as a failure and a recovery on every retry.
    recovered();
  }

  private List<Map.Entry<String, String>> query() {
    List<Map.Entry<String, String>> q = new ArrayList<>();
    if (index > 0) {
      q.add(Map.entry("index", Long.toString(index)));
      q.add(Map.entry("wait", settings.waitSeconds() + "s"));
    }
    if (settings.passingOnly()) {
      q.add(Map.entry("passing", "true"));
    }
    if (settings.datacenter() != null) {
      q.add(Map.entry("dc", settings.datacenter()));
    }
    for (String tag : settings.tags()) {
      q.add(Map.entry("tag", tag));
    }
    if (settings.filter() != null) {
      q.add(Map.entry("filter", settings.filter()));
    }
    switch (settings.consistency()) {
      case STALE -> q.add(Map.entry("stale", ""));
      case CONSISTENT -> q.add(Map.entry("consistent", ""));
      default -> { }
    }
    if (settings.cached()) {
      q.add(Map.entry("cached", ""));
    }
    return q;
  }

  private void fail(String what, @Nullable Throwable cause) {
    index = 0;
    if (!what.equals(failing)) {
      failing = what;
      String kept = published == null ? "no nodes known yet" : "keeping the last " + published.size() + " nodes";
      if (cause != null) {
        log.warn("watch of service '{}' at {}: {}; {}, retrying with backoff", service,
            settings.address(), what, kept, cause);
      } else {
        log.warn("watch of service '{}' at {}: {}; {}, retrying with backoff", service,
            settings.address(), what, kept);
      }
    }
    pause(backoff.nextDelayNanos());
  }

  private void recovered() {
    if (failing != null) {
      log.info("watch of service '{}' at {} recovered after {} failed attempts", service,
          settings.address(), backoff.failures());
      failing = null;
    }
    backoff.reset();
  }

  private void skipped(String reason) {
    if (reportedSkips.add(reason)) {
      log.warn("watch of service '{}': skipping {}", service, reason);
    }
  }

  private void pause(long nanos) {
    long deadline = System.nanoTime() + nanos;
    for (long left = nanos; left > 0 && !closed; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(this, left);
    }
  }

  /** Stops the watch; an in-flight blocking query is aborted, so this returns within ~1 s. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
    // Abort until the thread ends: the watch may have checked "closed" just before, and its request
    // is abortable only once the transport knows it, so a single early abort can miss it and
    // leave the thread in a full blocking query (5 minutes by default).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    try {
      do {
        transport.abort(thread);
        thread.join(ABORT_RETRY_MILLIS);
      } while (thread.isAlive() && deadline - System.nanoTime() > 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isAlive() {
    return thread.isAlive();
  }

  private static String encodePath(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String trim(String body) {
    String oneLine = body.replaceAll("\\s+", " ").strip();
    return oneLine.length() > 120 ? oneLine.substring(0, 120) + "..." : oneLine;
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
