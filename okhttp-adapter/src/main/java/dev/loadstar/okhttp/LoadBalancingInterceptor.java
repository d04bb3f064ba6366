package dev.loadstar.okhttp;

import static java.util.Objects.requireNonNull;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.PickContext;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.SocketFactory;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * An OkHttp <em>application</em> interceptor that sends each call for a service the balancer knows
 * ({@code http://orders/api/42}) to a node picked for it, reports the outcome back, and retries
 * on another node when that is safe. Calls to any other host pass through untouched.
 *
 * <pre>{@code
 * OkHttpClient client = new OkHttpClient.Builder()
 *     .addInterceptor(LoadBalancingInterceptor.create(lb))
 *     .build();
 * }</pre>
 *
 * <p><b>Pointing.</b> An {@code http} call is rewritten to the node's host and port. An
 * {@code https} call keeps its URL, so the {@code Host} header, SNI and certificate checks use the
 * service name, and reaches the node through a per-node {@link okhttp3.Dns} and socket factory
 * given with {@code Chain.withDns} and {@code Chain.withSocketFactory} (OkHttp 5.4+). OkHttp pools
 * connections per {@code Dns}, so each node has its own pooled connections. Such calls go
 * straight to the node, not through a proxy (which could not resolve the service name); a
 * redirect to another host leaves the node alone. (A client with its own socket factory keeps it;
 * the node's port then goes into the URL, and the {@code Host} header names it.)
 * {@link Builder#keepServiceHost} treats {@code http} calls the same way. Path, query, headers and
 * body are untouched either way.
 *
 * <p><b>Outcomes.</b> Latency to the response headers feeds the node's latency estimate; an
 * {@link IOException} or a response the {@link OutcomeClassifier} calls a failure (default: 5xx)
 * feeds its circuit breaker as a failure. The node counts the call in flight until the response
 * body is read to the end, closed, or fails; at once for responses without a body, failed calls
 * and cancelled calls. A response OkHttp's cache gives without asking the node is no outcome
 * and is not retried. The end of the body is learnt from the call's own events
 * ({@link okhttp3.Call#addEventListener}), so the response is returned as OkHttp made it; if an
 * application interceptor before this one discards the response and proceeds again, the first
 * node's count ends with the call.
 *
 * <p><b>Retries</b> go to a node not yet tried by this call, within {@link Builder#maxAttempts}
 * and a client-wide {@link RetryBudget}: connect failures (nothing was sent) for any method;
 * other I/O failures and 502/503/504 only for idempotent methods whose body can be sent again. A
 * cancelled call is never retried, and a request that may not be resent also has OkHttp's own
 * silent retry on a failed pooled connection turned off for it. The previous response is closed before the next attempt; when
 * no untried node is left, the last response (or failure) is what the caller gets.
 *
 * <p>Thread-safe; one instance may serve any number of clients.
 */
public final class LoadBalancingInterceptor implements Interceptor {
  /** Attempts per call, first included: the first try and up to two retries. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
  private static final int MAX_CACHED_ROUTES = 10_000;
  /** OkHttp's default, a JDK singleton: a client that has it brings no socket factory of its own. */
  private static final SocketFactory DEFAULT_SOCKETS = SocketFactory.getDefault();

  private final LoadBalancer lb;
  private final int maxAttempts;
  private final RetryBudget budget;
  private final HashKeySource hashKeys;
  private final OutcomeClassifier classifier;
  private final LongSupplier nanoTime;
  private final boolean keepServiceHost;
  private final ConcurrentHashMap<Node, NodeRoute> routes = new ConcurrentHashMap<>();

  private LoadBalancingInterceptor(Builder b) {
    this.lb = b.lb;
    this.maxAttempts = b.maxAttempts;
    this.budget = b.budget;
    this.hashKeys = b.hashKeys;
    this.classifier = b.classifier;
    this.nanoTime = b.nanoTime;
    this.keepServiceHost = b.keepServiceHost;
  }

  /** An interceptor with the defaults: 3 attempts, {@link RetryBudget#defaults()}, no hash key. */
  public static LoadBalancingInterceptor create(LoadBalancer lb) {
    return builder(lb).build();
  }

  public static Builder builder(LoadBalancer lb) {
    return new Builder(lb);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    if (chain.connection() != null) {
      throw new IllegalStateException("LoadBalancingInterceptor was added as a network interceptor;"
          + " add it with OkHttpClient.Builder.addInterceptor(...): only application interceptors"
          + " may change the host and retry on another node");
    }
    Request request = chain.request();
    String service = request.url().host();
    if (!lb.hasService(service)) {
      return chain.proceed(request);
    }
    budget.deposit();
    Chain base = atMostOnce(chain, request);
    boolean keepHost = keepServiceHost || request.isHttps();
    PickContext ctx = context(request);
    Lease lease = lb.pick(service, ctx);
    for (int attempt = 1; ; attempt++) {
      Node node = lease.node();
      long start = nanoTime.getAsLong();
      Response response;
      try {
        response = keepHost
            ? proceedKeepingHost(base, request, service, node)
            : base.proceed(rewritten(request, service, node, base));
      } catch (IOException e) {
        long elapsed = nanoTime.getAsLong() - start;
        if (chain.call().isCanceled()) {
          lease.close();
          throw e;
        }
        lease.failure(e, elapsed);
        lease.close();
        if (attempt >= maxAttempts || !retryable(e, request)) {
          throw e;
        }
        ctx = ctx.withTried(node);
        Lease next = nextLease(service, ctx);
        if (next == null) {
          throw e;
        }
        lease = next;
        continue;
      } catch (RuntimeException | Error e) {
        lease.close();
        throw e;
      }
      long elapsed = nanoTime.getAsLong() - start;
      if (response.networkResponse() == null) {
        // Answered without the node (OkHttp's cache, or its 504 for an only-if-cached miss):
        // nothing to learn about the node, nothing to retry elsewhere.
        lease.close();
        return response;
      }
      int code = response.code();
      if (classifier.isFailure(response)) {
        lease.failure(new HttpStatusException(code), elapsed);
      } else {
        lease.success(elapsed);
      }
      if ((code == 502 || code == 503 || code == 504) && attempt < maxAttempts
          && replayable(request) && !chain.call().isCanceled()) {
        PickContext tried = ctx.withTried(node);
        Lease next = nextLease(service, tried);
        if (next != null) {
          response.close();
          lease.close();
          ctx = tried;
          lease = next;
          continue;
        }
      }
      holdUntilDone(chain.call(), response, lease, request);
      return response;
    }
  }

  /** The lease for a retry, or null when the budget or the untried nodes have run out. */
  private @Nullable Lease nextLease(String service, PickContext ctx) {
    // Pick before withdrawing: the budget is client-wide, and a call with no untried node left
    // (a one-node service) must not spend a retry it cannot make.
    Lease next;
    try {
      next = lb.pick(service, ctx);
    } catch (IOException noneLeft) {
      return null;
    }
    if (!budget.tryWithdraw()) {
      next.close();
      return null;
    }
    return next;
  }

  private PickContext context(Request request) {
    PickContext tagged = request.tag(PickContext.class);
    if (tagged != null) {
      return tagged;
    }
    String key = hashKeys.key(request);
    return key == null ? PickContext.none() : PickContext.hashKey(key);
  }

  /**
   * The chain to proceed on. OkHttp silently resends a request whose pooled connection failed,
   * even after the body went out; for a request that must reach the server at most once, only this
   * interceptor decides, and it resends only what was never sent.
   */
  private static Chain atMostOnce(Chain chain, Request request) {
    return !replayable(request) && chain.getRetryOnConnectionFailure()
        ? chain.withRetryOnConnectionFailure(false)
        : chain;
  }

  /**
   * Sends a request that keeps the service name as its host to {@code node}: the node's route as
   * {@code Dns}, and as socket factory for the node's port. A client with a socket factory of its
   * own (a bound interface, a tunnel) keeps it, and the port goes into the URL instead. Such calls
   * go straight to the node: a proxy could not resolve the service name.
   */
  private Response proceedKeepingHost(Chain chain, Request request, String service, Node node)
      throws IOException {
    NodeRoute route = route(service, node, chain.getDns());
    Chain routed = chain.withDns(route);
    if (routed.getProxy() != Proxy.NO_PROXY) {
      routed = routed.withProxy(Proxy.NO_PROXY);
    }
    HttpUrl url = request.url();
    if (url.port() == route.port()) {
      return routed.proceed(request);
    }
    if (chain.getSocketFactory() == DEFAULT_SOCKETS) {
      return routed.withSocketFactory(route).proceed(request);
    }
    return routed.proceed(request.newBuilder().url(url.newBuilder().port(route.port()).build())
        .build());
  }

  private NodeRoute route(String service, Node node, Dns dns) {
    NodeRoute route = routes.get(node);
    if (route == null || !route.fits(service, dns)) {
      if (routes.size() > MAX_CACHED_ROUTES) {
        routes.clear();
      }
      route = new NodeRoute(service, node, dns);
      routes.put(node, route);
    }
    return route;
  }

  /** The request with the node's host and port in its URL; all else untouched. */
  private Request rewritten(Request request, String service, Node node, Chain chain) {
    HttpUrl url = request.url();
    // Starting from the node's own URL skips host canonicalisation, the dearest part of a
    // rebuild (an IP literal is parsed and formatted again on every call).
    HttpUrl.Builder to = route(service, node, chain.getDns()).httpBase().newBuilder()
        .encodedPath(url.encodedPath())
        .encodedQuery(url.encodedQuery())
        .encodedFragment(url.encodedFragment());
    if (!url.encodedUsername().isEmpty() || !url.encodedPassword().isEmpty()) {
      to.encodedUsername(url.encodedUsername()).encodedPassword(url.encodedPassword());
    }
    return request.newBuilder().url(to.build()).build();
  }

  /**
   * Keeps the node's in-flight count until the response is over: at once when it has no body,
   * else until the body is read to the end, closed or fails, or the call is cancelled.
   */
  private static void holdUntilDone(Call call, Response response, Lease lease, Request request) {
    int code = response.code();
    boolean noBody = request.method().equals("HEAD") || code == 204 || code == 304
        || (code >= 100 && code < 200) || response.body().contentLength() == 0;
    if (noBody) {
      lease.close();
      return;
    }
    call.addEventListener(new LeaseRelease(lease));
    if (call.isCanceled()) {
      // Cancelled before the listener was in place: its canceled event has already gone by.
      lease.close();
    }
  }

  private static boolean retryable(IOException e, Request request) {
    return notSent(e) || (replayable(request) && !(e instanceof InterruptedIOException
        && !(e instanceof SocketTimeoutException)));
  }

  /** Whether the request can be sent again: an idempotent method with no one-shot body. */
  private static boolean replayable(Request request) {
    if (!IDEMPOTENT.contains(request.method())) {
      return false;
    }
    RequestBody body = request.body();
    return body == null || !body.isOneShot();
  }

  /** Failures that happen before any byte of the request left: safe to retry for any method. */
  static boolean notSent(IOException e) {
    if (e instanceof ConnectException || e instanceof NoRouteToHostException
        || e instanceof UnknownHostException || e instanceof SSLHandshakeException) {
      return true;
    }
    String message = e.getMessage();
    return e instanceof SocketTimeoutException && message != null
        && message.toLowerCase(Locale.ROOT).contains("connect timed out");
  }

  /** Builds a {@link LoadBalancingInterceptor}. Not thread-safe. */
  public static final class Builder {
    private final LoadBalancer lb;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private RetryBudget budget = RetryBudget.defaults();
    private HashKeySource hashKeys = HashKeySource.none();
    private OutcomeClassifier classifier = OutcomeClassifier.serverErrors();
    private LongSupplier nanoTime = System::nanoTime;
    private boolean keepServiceHost;

    private Builder(LoadBalancer lb) {
      this.lb = requireNonNull(lb, "lb");
    }

    /** Attempts per call including the first; 1 turns retries off. Default 3. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: > 0)");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The client-wide retry budget; default {@link RetryBudget#defaults()}. */
    public Builder retryBudget(RetryBudget budget) {
      this.budget = requireNonNull(budget, "budget");
      return this;
    }

    /** Where the hash key of a request comes from; default none. */
    public Builder hashKey(HashKeySource source) {
      this.hashKeys = requireNonNull(source, "source");
      return this;
    }

    /** Which responses count against their node; default {@link OutcomeClassifier#serverErrors()}. */
    public Builder classifier(OutcomeClassifier classifier) {
      this.classifier = requireNonNull(classifier, "classifier");
      return this;
    }

    /** The clock latencies are measured with; default {@link System#nanoTime()}. */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Whether plain {@code http} calls keep the service name as their host, as {@code https}
     * calls always do, and reach the node through a per-node {@code Dns} and socket factory.
     * Default false: an {@code http} call is rewritten to the node's host and port.
     *
     * <p>Keeping the host is what proxies such as Envoy and gRPC's channels do: the backend sees
     * {@code Host: orders}, and {@code response.request().url()} stays {@code http://orders/...}.
     * It is also cheaper, since OkHttp's {@code HttpUrl} and {@code Request} are immutable and
     * rewriting one costs about a kilobyte of garbage per call. Calls that keep the host connect
     * directly to the node: an HTTP proxy configured on the client could not resolve the service
     * name.
     */
    public Builder keepServiceHost(boolean keepServiceHost) {
      this.keepServiceHost = keepServiceHost;
      return this;
    }

    public LoadBalancingInterceptor build() {
      return new LoadBalancingInterceptor(this);
    }
  }
}
