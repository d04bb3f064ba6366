package dev.loadstar.examples.proxy;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import dev.loadstar.LoadBalancer;
import dev.loadstar.discovery.InvalidConfigException;
import dev.loadstar.discovery.JsonFileDiscovery;
import dev.loadstar.okhttp.HashKeySource;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP reverse proxy built on the SDK: a JDK {@link HttpServer} that forwards every
 * request to one service of a JSON services file (format: {@link JsonFileDiscovery}), through an
 * OkHttp client with the {@link LoadBalancingInterceptor}. Edits to the file take effect within
 * about a second.
 *
 * <pre>{@code
 * java -cp ... dev.loadstar.examples.proxy.ReverseProxy \
 *     --config services.json --service orders --port 8080
 * }</pre>
 *
 * <p>A request keeps its method, path, query, body (streamed, never buffered) and end-to-end
 * headers; the hop-by-hop ones ({@code Connection} and the fields it lists, {@code Keep-Alive},
 * {@code Proxy-*}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}) and
 * {@code Host} are dropped, the client's address is appended to {@code X-Forwarded-For}, and
 * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} say how the client reached the proxy.
 * The answer comes back the same way. When the service has no node to offer the client gets a
 * 503, when the nodes fail (after the interceptor's retries) a 502.
 *
 * <p>Each request holds one of a bounded pool of workers for its whole upstream call; beyond the
 * pool and its queue the JDK server closes new connections at once rather than queue without
 * bound (its behaviour on a rejected task since JDK 10, JDK-8169358).
 *
 * <p>Thread-safe. {@link #close()} lets requests in progress finish, up to a grace period.
 */
public final class ReverseProxy implements AutoCloseable {
  /** Requests forwarded at once: each holds a worker while OkHttp waits on the node. */
  public static final int DEFAULT_THREADS = 64;
  /** Requests that may wait for a worker: four per worker, a short burst, not a backlog. */
  public static final int DEFAULT_QUEUE_CAPACITY = 256;
  /**
   * 2 s rather than OkHttp's 10 s: a connect failure is retried on another node, so a long wait
   * on one unreachable node only delays the answer.
   */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** How long {@link #close()} waits for requests in progress. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(ReverseProxy.class);

  private final String service;
  private final LoadBalancer lb;
  private final JsonFileDiscovery discovery;
  private final OkHttpClient client;
  private final boolean ownsClient;
  private final ThreadPoolExecutor workers;
  private final HttpServer server;
  private final Forwarder forwarder;
  private final Duration shutdownGrace;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ReverseProxy(Builder b, LoadBalancer lb, JsonFileDiscovery discovery,
      OkHttpClient client, ThreadPoolExecutor workers, HttpServer server, Forwarder forwarder) {
    this.service = requireNonNull(b.service);
    this.lb = lb;
    this.discovery = discovery;
    this.client = client;
    this.ownsClient = b.client == null;
    this.workers = workers;
    this.server = server;
    this.forwarder = forwarder;
    this.shutdownGrace = b.shutdownGrace;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the proxy until the JVM is stopped. Exit code 2 for bad arguments, 1 if it cannot start.
   */
  public static void main(String[] args) {
    int code = ProxyCommand.run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The address the proxy listens on, with the port it was given if 0 was asked for. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code http://host:port/} of the proxy; a wildcard bind address shows as loopback. */
  public URI uri() {
    InetSocketAddress a = server.getAddress();
    InetAddress ip = a.getAddress().isAnyLocalAddress()
        ? InetAddress.getLoopbackAddress() : a.getAddress();
    String host = ip.getHostAddress().contains(":") ? "[" + ip.getHostAddress() + "]"
        : ip.getHostAddress();
    return URI.create("http://" + host + ":" + a.getPort() + "/");
  }

  /** The service every request goes to. */
  public String service() {
    return service;
  }

  /** The balancer, for its {@link LoadBalancer#snapshot()} or membership listeners. */
  public LoadBalancer loadBalancer() {
    return lb;
  }

  /**
   * Reads the services file now instead of at the next poll.
   *
   * @throws InvalidConfigException if the file is invalid; the last good version stays in force
   */
  public void reload() {
    discovery.reload();
  }

  /**
   * Waits up to the shutdown grace for requests in progress, then stops the server, the file
   * watch and the balancer. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (!forwarder.awaitIdle(shutdownGrace)) {
        log.warn("closing with requests still in progress after {}", shutdownGrace);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // stop(0): the requests had their grace above; JDK 17's stop(n) waits all n seconds anyway.
    server.stop(0);
    workers.shutdownNow();
    discovery.close();
    lb.close();
    if (ownsClient) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "ReverseProxy{" + server.getAddress() + " -> " + service + '}';
  }

  /** Builds and starts a {@link ReverseProxy}; config file and service are required. */
  public static final class Builder {
    private @Nullable Path configFile;
    private @Nullable String service;
    private InetSocketAddress address = new InetSocketAddress(ProxyArgs.DEFAULT_PORT);
    private int threads = DEFAULT_THREADS;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private Duration pollInterval = JsonFileDiscovery.DEFAULT_POLL_INTERVAL;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private HashKeySource hashKey = HashKeySource.none();
    private @Nullable OkHttpClient client;

    private Builder() {}

    /** The JSON services file; watched for changes. */
    public Builder configFile(Path configFile) {
      this.configFile = requireNonNull(configFile, "configFile");
      return this;
    }

    /** The service of the file that every request is forwarded to. */
    public Builder service(String service) {
      this.service = requireNonNull(service, "service");
      return this;
    }

    /** Where to listen; default every interface, port 8080. Port 0 picks a free one. */
    public Builder address(InetSocketAddress address) {
      this.address = requireNonNull(address, "address");
      return this;
    }

    /** Workers, each forwarding one request at a time; default {@link #DEFAULT_THREADS}. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
      }
      this.threads = threads;
      return this;
    }

    /** Requests that may wait for a worker; default {@link #DEFAULT_QUEUE_CAPACITY}. */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("queueCapacity: " + capacity + " (expected: >= 1)");
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** How often the file is checked; default {@link JsonFileDiscovery#DEFAULT_POLL_INTERVAL}. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = requireNonNull(pollInterval, "pollInterval");
      return this;
    }

    /** How long {@link #close()} waits for requests in progress; default 5 s. */
    public Builder shutdownGrace(Duration grace) {
      requireNonNull(grace, "shutdownGrace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace: " + grace + " (expected: >= 0)");
      }
      this.shutdownGrace = grace;
      return this;
    }

    /** For sticky routing with {@code ring-hash} or {@code maglev}: where the key comes from. */
    public Builder hashKey(HashKeySource hashKey) {
      this.hashKey = requireNonNull(hashKey, "hashKey");
      return this;
    }

    /**
     * The client to derive the upstream client from (timeouts, TLS); it gets the interceptor,
     * and redirects, cookies and caching turned off. Default: OkHttp's defaults with a 2 s
     * connect timeout and a pool keeping one idle connection per worker.
     */
    public Builder client(OkHttpClient client) {
      this.client = requireNonNull(client, "client");
      return this;
    }

    /**
     * Loads the file, binds the address and starts serving.
     *
     * @throws InvalidConfigException if the file cannot be read or is invalid
     * @throws IllegalArgumentException if the file has no such service
     * @throws IOException if the address cannot be bound
     */
    public ReverseProxy start() throws IOException {
      Path file = requireNonNull(configFile, "configFile");
      String name = requireNonNull(service, "service");
      Deque<AutoCloseable> opened = new ArrayDeque<>();
      try {
        LoadBalancer lb = LoadBalancer.builder().build();
        opened.push(lb);
        JsonFileDiscovery discovery = JsonFileDiscovery.builder()
            .path(file).loadBalancer(lb).pollInterval(pollInterval).build();
        opened.push(discovery);
        discovery.start();
        if (!lb.hasService(name)) {
          throw new IllegalArgumentException("service: '" + name + "' is not in " + file
              + " (services: " + lb.registry().services() + ")");
        }
        OkHttpClient upstream = upstreamClient(lb);
        ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads,
            60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity),
            daemon("loadstar-proxy-"));
        workers.allowCoreThreadTimeOut(true);
        opened.push(workers::shutdownNow);
        Forwarder forwarder = new Forwarder(name, upstream, lb);
        HttpServer server = HttpServer.create(address, 0);
        server.createContext("/", forwarder);
        server.setExecutor(workers);
        server.start();
        return new ReverseProxy(this, lb, discovery, upstream, workers, server, forwarder);
      } catch (IOException | RuntimeException | Error e) {
        while (!opened.isEmpty()) {
          try {
            opened.pop().close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    }

    private OkHttpClient upstreamClient(LoadBalancer lb) {
      OkHttpClient base = client != null ? client : new OkHttpClient.Builder()
          .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
          // OkHttp keeps 5 idle connections by default: too few for a busy proxy, which would
          // then open and close connections to its nodes all the time.
          .connectionPool(new ConnectionPool(threads, 5, TimeUnit.MINUTES))
          .build();
      return base.newBuilder()
          .addInterceptor(LoadBalancingInterceptor.builder(lb).hashKey(hashKey).build())
          // Redirects and cookies belong to the client behind the proxy, not to the proxy.
          .followRedirects(false)
          .followSslRedirects(false)
          .cookieJar(CookieJar.NO_COOKIES)
          .cache(null)
          .build();
    }

    private static ThreadFactory daemon(String prefix) {
      AtomicInteger count = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, prefix + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
  }
}
