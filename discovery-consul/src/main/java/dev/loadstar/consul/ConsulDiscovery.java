package dev.loadstar.consul;

import static java.util.Objects.requireNonNull;

import dev.loadstar.NodeRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Keeps services' node lists in sync with Consul's healthy instances, by blocking queries.
 *
 * <pre>{@code
 * try (ConsulDiscovery consul = ConsulDiscovery.builder()
 *     .address("http://127.0.0.1:8500").token(System.getenv("CONSUL_HTTP_TOKEN")).build()) {
 *   consul.watch("orders", lb.registry());   // keeps "orders" in sync until closed
 * }
 * }</pre>
 *
 * <p>Each {@link #watch} runs one blocking query at a time on its own daemon thread, so a
 * 5-minute poll never holds up anything else. A change reaches the registry as soon as Consul
 * answers; a Consul outage keeps the last known list (see {@code ConsulWatch} for the contract).
 * The ACL token goes only in the {@code X-Consul-Token} header, never in a URL, a log line or a
 * {@code toString()}.
 *
 * <p>Thread-safe. {@link #close()} stops every watch and releases the HTTP client.
 */
public final class ConsulDiscovery implements AutoCloseable {
  public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  /** Consul caps a blocking query's wait at 10 minutes. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(250);
  public static final Duration DEFAULT_BACKOFF_CAP = Duration.ofSeconds(30);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Added to wait + wait/16 for the read timeout: time for Consul to write the answer. */
  public static final Duration READ_TIMEOUT_MARGIN = Duration.ofSeconds(10);
  public static final double DEFAULT_MAX_REQUESTS_PER_SECOND = 10;
  public static final int DEFAULT_MAX_WATCHES = 64;

  /**
   * Jitter for the backoff, drawn on the watch thread that uses it. Not
   * {@code ThreadLocalRandom.current()} captured here: that instance draws from the seed of the
   * thread that calls it, and a watch thread that never called {@code current()} has an
   * uninitialised seed, so every client JVM would compute the same "random" delays, which full
   * jitter exists to avoid.
   */
  private static final RandomGenerator THREAD_LOCAL_RANDOM =
      () -> java.util.concurrent.ThreadLocalRandom.current().nextLong();

  private final Settings settings;
  private final ConsulTransport transport;
  private final List<ConsulWatch> watches = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /** Everything a watch needs to know; immutable. */
  record Settings(
      String address,
      @Nullable String datacenter,
      @Nullable String filter,
      List<String> tags,
      boolean passingOnly,
      ConsulConsistency consistency,
      boolean cached,
      long waitSeconds,
      Duration backoffBase,
      Duration backoffCap,
      double maxRequestsPerSecond,
      @Nullable String zoneMetaKey,
      RandomGenerator random) {}

  private ConsulDiscovery(Builder b, ConsulTransport transport) {
    this.settings = new Settings(b.address, b.datacenter, b.filter, List.copyOf(b.tags),
        b.passingOnly, b.consistency, b.cached, b.wait.toSeconds(), b.backoffBase, b.backoffCap,
        b.maxRequestsPerSecond, b.zoneMetaKey, THREAD_LOCAL_RANDOM);
    this.transport = transport;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts keeping {@code service} in {@code registry} equal to Consul's view, until the returned
   * handle or this discovery is closed. The first answer is applied as soon as it comes.
   *
   * @throws IllegalStateException if this discovery is closed
   */
  public Closeable watch(String service, NodeRegistry registry) {
    requireNonNull(service, "service");
    requireNonNull(registry, "registry");
    if (service.isBlank()) {
      throw new IllegalArgumentException("service: '" + service + "' (expected: not blank)");
    }
    if (closed) {
      throw new IllegalStateException("ConsulDiscovery is closed");
    }
    ConsulWatch watch = new ConsulWatch(service, registry, transport, settings);
    watches.add(watch);
    watch.start();
    return () -> {
      watch.close();
      watches.remove(watch);
    };
  }

  /** Stops every watch (aborting in-flight queries) and closes the HTTP client. */
  @Override
  public void close() {
    closed = true;
    for (ConsulWatch w : watches) {
      w.close();
    }
    watches.clear();
    try {
      transport.close();
    } catch (IOException ignored) {
      // Nothing useful to do: we are shutting down.
    }
  }

  @Override
  public String toString() {
    return "ConsulDiscovery{" + settings.address() + ", watches=" + watches.size() + '}';
  }

  /** Builds a {@link ConsulDiscovery}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String address = "http://127.0.0.1:8500";
    private @Nullable String token;
    private @Nullable String datacenter;
    private @Nullable String filter;
    private final Set<String> tags = new LinkedHashSet<>();
    private boolean passingOnly = true;
    private ConsulConsistency consistency = ConsulConsistency.DEFAULT;
    private boolean cached;
    private Duration wait = DEFAULT_WAIT;
    private Duration backoffBase = DEFAULT_BACKOFF_BASE;
    private Duration backoffCap = DEFAULT_BACKOFF_CAP;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private double maxRequestsPerSecond = DEFAULT_MAX_REQUESTS_PER_SECOND;
    private int maxWatches = DEFAULT_MAX_WATCHES;
    private @Nullable String zoneMetaKey;
    private @Nullable SSLContext tls;

    private Builder() {}

    /** Consul's HTTP API, {@code http://host:port} or {@code https://host:port}. */
    public Builder address(String address) {
      this.address = requireNonNull(address, "address");
      return this;
    }

    /** The ACL token; null or blank for none. Sent only as the {@code X-Consul-Token} header. */
    public Builder token(@Nullable String token) {
      this.token = token == null || token.isBlank() ? null : token;
      return this;
    }

    public Builder datacenter(String datacenter) {
      this.datacenter = requireNonNull(datacenter, "datacenter");
      return this;
    }

    /** A Consul filter expression, such as {@code Service.Meta.version == "2"}. */
    public Builder filter(String filter) {
      this.filter = requireNonNull(filter, "filter");
      return this;
    }

    /** Only instances with this tag (repeatable: all tags must match). */
    public Builder tag(String tag) {
      tags.add(requireNonNull(tag, "tag"));
      return this;
    }

    /** Only instances whose checks all pass (default); off adds instances in warning. */
    public Builder passingOnly(boolean passingOnly) {
      this.passingOnly = passingOnly;
      return this;
    }

    public Builder consistency(ConsulConsistency consistency) {
      this.consistency = requireNonNull(consistency, "consistency");
      return this;
    }

    /** Use the agent's cache for these queries ({@code ?cached}). */
    public Builder cached(boolean cached) {
      this.cached = cached;
      return this;
    }

    /** The blocking query's wait; default 5 min, at most 10 min. */
    public Builder wait(Duration wait) {
      this.wait = requireNonNull(wait, "wait");
      return this;
    }

    /** First and largest backoff delay after failures; defaults 250 ms and 30 s. */
    public Builder backoff(Duration base, Duration cap) {
      this.backoffBase = requireNonNull(base, "backoff base");
      this.backoffCap = requireNonNull(cap, "backoff cap");
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /** The most queries a watch sends per second, whatever Consul does; default 10. */
    public Builder maxRequestsPerSecond(double rate) {
      this.maxRequestsPerSecond = rate;
      return this;
    }

    /** How many watches may run at once; sizes the connection pool. Default 64. */
    public Builder maxWatches(int maxWatches) {
      this.maxWatches = maxWatches;
      return this;
    }

    /** The service-meta (then node-meta) key that holds an instance's zone, e.g. {@code zone}. */
    public Builder zoneMetaKey(String key) {
      this.zoneMetaKey = requireNonNull(key, "zoneMetaKey");
      return this;
    }

    /** Trust for an {@code https} address, e.g. a private CA. */
    public Builder tls(SSLContext tls) {
      this.tls = requireNonNull(tls, "tls");
      return this;
    }

    /** @throws IllegalArgumentException naming the setting that is wrong */
    public ConsulDiscovery build() {
      return new ConsulDiscovery(this, new EcwidTransport(validatedAddress(), token,
          connectTimeout, readTimeout(), maxWatches, tls));
    }

    /** For tests: the same discovery over another transport. */
    ConsulDiscovery build(ConsulTransport transport) {
      validatedAddress();
      readTimeout();
      return new ConsulDiscovery(this, transport);
    }

    private String validatedAddress() {
      this.address = checkAddress(address);
      if (wait.compareTo(Duration.ofSeconds(1)) < 0 || wait.compareTo(MAX_WAIT) > 0) {
        throw new IllegalArgumentException("wait: " + wait + " (expected: 1s-10m)");
      }
      if (backoffBase.isNegative() || backoffBase.isZero() || backoffCap.compareTo(backoffBase) < 0) {
        throw new IllegalArgumentException("backoff: " + backoffBase + ", " + backoffCap
            + " (expected: 0 < base <= cap)");
      }
      if (!(maxRequestsPerSecond > 0)) {
        throw new IllegalArgumentException(
            "maxRequestsPerSecond: " + maxRequestsPerSecond + " (expected: > 0)");
      }
      if (maxWatches < 1) {
        throw new IllegalArgumentException("maxWatches: " + maxWatches + " (expected: >= 1)");
      }
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
      }
      return address;
    }

    /** wait + wait/16 (Consul's jitter) + a margin: a long poll is never cut, a dead one is. */
    Duration readTimeout() {
      return wait.plus(wait.dividedBy(16)).plus(READ_TIMEOUT_MARGIN);
    }
  }

  /**
   * Checks a Consul address: {@code http} or {@code https} with a host.
   *
   * @return the address without a trailing slash
   */
  static String checkAddress(String address) {
    URI uri;
    try {
      uri = URI.create(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("address: '" + address + "' (expected: http://host:port)");
    }
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "address: '" + address + "' (expected: http://host:port or https://host:port)");
    }
    return address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
  }

  /** Visible for tests: the watches running now. */
  List<ConsulWatch> watches() {
    return new ArrayList<>(watches);
  }
}
