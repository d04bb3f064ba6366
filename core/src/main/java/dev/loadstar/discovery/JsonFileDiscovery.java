package dev.loadstar.discovery;

import static java.util.Objects.requireNonNull;

import dev.loadstar.LoadBalancer;
import dev.loadstar.ServiceConfig;
import dev.loadstar.discovery.ServicesFileParser.ServiceSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link LoadBalancer}'s services in line with a JSON file: each service's nodes, strategy
 * and breaker settings. {@link #start()} loads the file and then watches it on a daemon thread
 * named {@code loadstar-json-<file name>}, applying each valid version. An invalid version is
 * reported once, with file, line, column and field, and the last good configuration stays in force.
 *
 * <pre>{@code
 * {
 *   "services": {
 *     "orders": {
 *       "strategy": "peak-ewma",
 *       "panicThreshold": 0.5,
 *       "maxEjectionShare": 1.0,
 *       "slowStartWindow": "30s",
 *       "slowStartMinShare": 0.1,
 *       "ewmaDecay": "10s",
 *       "circuitBreaker": {"enabled": true, "failureRateThreshold": 50, "slidingWindowSize": 10,
 *                          "minimumNumberOfCalls": 5, "waitDurationInOpenState": "10s",
 *                          "permittedNumberOfCallsInHalfOpenState": 3},
 *       "nodes": [
 *         {"host": "10.0.0.7", "port": 8080, "weight": 2, "zone": "eu-1", "id": "orders-1",
 *          "tags": ["version=v2"], "metadata": {"k": "v"}}
 *       ]
 *     }
 *   }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Required: {@code services}, and per service {@code nodes} (may be empty), and per node
 *       {@code host} and {@code port}. Everything else defaults as in {@link ServiceConfig} and
 *       {@link dev.loadstar.Node}; breaker fields override
 *       {@link ServiceConfig#defaultCircuitBreaker()}, and {@code "enabled": false} turns
 *       ejection off.
 *   <li>Strategies by their names in {@link dev.loadstar.Strategies}. Durations as {@code 250ms},
 *       {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT10S}).
 *   <li>Unknown and duplicate fields are errors, so that a typo does not silently fall back to a
 *       default.
 * </ul>
 *
 * <p>Applying a version: the whole file is validated first; then, service by service (not
 * atomically across services), {@link LoadBalancer#configure} if the service's settings in the
 * file changed, then {@link dev.loadstar.NodeRegistry#update}. A service that leaves the file gets
 * an empty node list and keeps its settings. A service whose entry has no settings keeps those
 * the balancer was built with; once the file has set them, removing them restores
 * {@link ServiceConfig}'s defaults.
 *
 * <p>Write the file atomically (write a temporary file, then rename it over) where you can. A
 * writer that truncates and rewrites in place can be caught half-way; an error is therefore
 * reported only when the next poll finds the same one.
 *
 * <p>Thread-safe. The watcher never throws into the application.
 */
public final class JsonFileDiscovery implements AutoCloseable {
  /** 1 s: a stat and at most one small read per second; edits show within about a second. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  /** How long {@link #close()} waits for the watcher, which may be inside an apply. */
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private static final Logger log = LoggerFactory.getLogger(JsonFileDiscovery.class);

  private final Path path;
  private final LoadBalancer lb;
  private final Duration pollInterval;
  private final CountDownLatch closed = new CountDownLatch(1);
  /** Serializes start, reload and polls; guards the fields below it. */
  private final Object lock = new Object();
  private final FilePoller poller;
  private Map<String, ServiceSpec> applied = Map.of();
  private boolean started;
  /** The error of the previous poll, which this poll must see again before reporting it. */
  private @Nullable String unsettledError;
  /** The error last logged, so that an error is logged once, not once per poll. */
  private @Nullable String loggedError;

  private volatile @Nullable String lastError;
  private volatile @Nullable Thread watcher;

  private JsonFileDiscovery(Builder b) {
    this.path = requireNonNull(b.path, "path");
    this.lb = requireNonNull(b.loadBalancer, "loadBalancer");
    this.pollInterval = b.pollInterval;
    this.poller = new FilePoller(path, System::currentTimeMillis);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads the file on the calling thread, then starts watching it.
   *
   * @throws InvalidConfigException if the file cannot be read or is invalid; nothing is applied
   *     and no thread is started
   * @throws IllegalStateException if already started or closed
   */
  public JsonFileDiscovery start() {
    synchronized (lock) {
      checkOpen();
      if (started) {
        throw new IllegalStateException("already started: " + path);
      }
      reload();
      started = true;
      Thread thread = new Thread(this::watch, "loadstar-json-" + path.getFileName());
      thread.setDaemon(true);
      watcher = thread;
      thread.start();
    }
    return this;
  }

  /**
   * Reads, validates and applies the file now, on the calling thread, changed or not.
   *
   * @throws InvalidConfigException if the file cannot be read or is invalid; the last good
   *     configuration stays in force and {@link #lastError()} reports the problem
   * @throws IllegalStateException if closed
   */
  public void reload() {
    synchronized (lock) {
      checkOpen();
      FilePoller.Content content;
      try {
        content = poller.read();
      } catch (IOException e) {
        throw rejected(unreadable(e));
      }
      poller.accept(content);
      Map<String, ServiceSpec> next;
      try {
        next = ServicesFileParser.parse(path, content.bytes());
      } catch (InvalidConfigException e) {
        throw rejected(e);
      }
      apply(next);
    }
  }

  /** Why the current file is not in force, or empty if the last version read was applied. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** Stops watching, waiting up to 2 s for the watcher to finish an apply it is in. Idempotent. */
  @Override
  public void close() {
    closed.countDown();
    Thread thread = watcher;
    if (thread == null || thread == Thread.currentThread()) {
      return;
    }
    try {
      thread.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (thread.isAlive()) {
      log.warn("{}: watcher {} still running {} ms after close", path, thread.getName(),
          CLOSE_WAIT_MILLIS);
    }
  }

  @Override
  public String toString() {
    return "JsonFileDiscovery{" + path + ", pollInterval=" + pollInterval + '}';
  }

  private void watch() {
    try {
      while (!closed.await(pollInterval.toNanos(), TimeUnit.NANOSECONDS)) {
        try {
          poll();
        } catch (RuntimeException e) {
          // The version was accepted before applying, so this is logged once, not every poll.
          log.warn("{}: applying the file failed; it is retried when the file changes", path, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void poll() {
    synchronized (lock) {
      if (closed.getCount() == 0) {
        return;
      }
      FilePoller.Content content = null;
      Map<String, ServiceSpec> next;
      try {
        content = poller.readIfChanged();
        if (content == null) {
          return;
        }
        next = ServicesFileParser.parse(path, content.bytes());
      } catch (IOException e) {
        failed(unreadable(e), null);
        return;
      } catch (InvalidConfigException e) {
        failed(e, content);
        return;
      }
      poller.accept(content);
      apply(next);
    }
  }

  private void apply(Map<String, ServiceSpec> next) {
    Map<String, ServiceSpec> now = new LinkedHashMap<>(applied);
    try {
      for (Map.Entry<String, ServiceSpec> e : next.entrySet()) {
        String service = e.getKey();
        ServiceSpec spec = e.getValue();
        ServiceSpec before = applied.get(service);
        if (!spec.settings().equals(before == null ? Map.of() : before.settings())) {
          lb.configure(service, spec.config());
        }
        lb.registry().update(service, spec.nodes());
        now.put(service, spec);
      }
      for (String service : applied.keySet()) {
        if (!next.containsKey(service)) {
          lb.registry().update(service, List.of());
          now.remove(service);
        }
      }
    } finally {
      applied = now;
    }
    if (loggedError != null) {
      log.info("{}: valid again; applied services {}", path, next.keySet());
    } else {
      log.info("{}: applied services {}", path, next.keySet());
    }
    unsettledError = null;
    loggedError = null;
    lastError = null;
  }

  /** For {@link #reload()}, whose caller gets the exception: recorded, not logged. */
  private InvalidConfigException rejected(InvalidConfigException e) {
    lastError = e.getMessage();
    loggedError = e.getMessage();
    unsettledError = e.getMessage();
    return e;
  }

  private void failed(InvalidConfigException e, FilePoller.@Nullable Content content) {
    String message = String.valueOf(e.getMessage());
    if (!message.equals(unsettledError)) {
      unsettledError = message;
      return;
    }
    if (content != null) {
      poller.accept(content);
    }
    lastError = message;
    if (!message.equals(loggedError)) {
      loggedError = message;
      log.warn("{}; keeping the last good configuration", message);
    }
  }

  private InvalidConfigException unreadable(IOException e) {
    return new InvalidConfigException(path, 0, 0, null, "cannot read (" + e + ")", e);
  }

  private void checkOpen() {
    if (closed.getCount() == 0) {
      throw new IllegalStateException("closed: " + path);
    }
  }

  /** Builds a {@link JsonFileDiscovery}; path and load balancer are required. Not thread-safe. */
  public static final class Builder {
    private @Nullable Path path;
    private @Nullable LoadBalancer loadBalancer;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;

    private Builder() {}

    /** The JSON file; named as given in error messages. */
    public Builder path(Path path) {
      this.path = requireNonNull(path, "path");
      return this;
    }

    public Builder loadBalancer(LoadBalancer loadBalancer) {
      this.loadBalancer = requireNonNull(loadBalancer, "loadBalancer");
      return this;
    }

    /** How often the file is checked; default {@link #DEFAULT_POLL_INTERVAL}. */
    public Builder pollInterval(Duration pollInterval) {
      requireNonNull(pollInterval, "pollInterval");
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: > 0)");
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /** @throws NullPointerException naming {@code path} or {@code loadBalancer} if not set */
    public JsonFileDiscovery build() {
      return new JsonFileDiscovery(this);
    }
  }
}
