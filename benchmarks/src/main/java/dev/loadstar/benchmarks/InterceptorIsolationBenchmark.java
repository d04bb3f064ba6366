package dev.loadstar.benchmarks;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import kotlin.jvm.functions.Function0;
import kotlin.reflect.KClass;
import okhttp3.Authenticator;
import okhttp3.Cache;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.CertificatePinner;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Timeout;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The interceptor's own work per call, in isolation: {@code intercept} on a chain whose
 * {@code proceed} hands back a ready response, then the end of the call as OkHttp would report it
 * ({@code callEnd} to the listeners added to the call). What is left is ours: the pick, pointing
 * the request at the node, timing, outcome feedback (latency estimate and circuit breaker), and
 * ending the lease. OkHttp's own work on the chain (the copies {@code withDns},
 * {@code withSocketFactory} and {@code withProxy} make) is not in it; the whole-call difference
 * is {@link InterceptorOverheadBenchmark}.
 *
 * <p>{@link #passThrough} is the same chain through an interceptor that only proceeds: the floor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class InterceptorIsolationBenchmark {
  private LoadBalancer lb;
  private Interceptor rewriting;
  private Interceptor keepingHost;
  private final Interceptor passThrough = chain -> chain.proceed(chain.request());
  private final FakeCall call = new FakeCall();
  private FakeChain chain;

  @Setup(Level.Trial)
  public void setUp() {
    lb = LoadBalancer.builder().defaultStrategy(Strategies.peakEwma()).build();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      nodes.add(Node.of("127.0.0.1", 10_000 + i));
    }
    lb.registry().update("orders", nodes);
    rewriting = LoadBalancingInterceptor.create(lb);
    keepingHost = LoadBalancingInterceptor.builder(lb).keepServiceHost(true).build();
    Request request = new Request.Builder().url("http://orders/api/42").build();
    Response network = new Response.Builder().request(request).protocol(Protocol.HTTP_1_1)
        .code(200).message("OK").build();
    Response response = new Response.Builder().request(request).protocol(Protocol.HTTP_1_1)
        .code(200).message("OK").networkResponse(network)
        .body(ResponseBody.create("ok", null)).build();
    chain = new FakeChain(request, response, call);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    lb.close();
  }

  @Benchmark
  public Response passThrough() throws IOException {
    Response r = passThrough.intercept(chain);
    call.end();
    return r;
  }

  /** The default for {@code http}: the URL and request rebuilt for the node. */
  @Benchmark
  public Response rewriting() throws IOException {
    Response r = rewriting.intercept(chain);
    call.end();
    return r;
  }

  /** As every {@code https} call is pointed: the URL kept, the node's cached route given. */
  @Benchmark
  public Response keepingHost() throws IOException {
    Response r = keepingHost.intercept(chain);
    call.end();
    return r;
  }

  /** A call that ends when told to, telling the one listener added to it (as OkHttp would). */
  static final class FakeCall implements Call {
    private @Nullable EventListener listener;

    void end() {
      EventListener l = listener;
      listener = null;
      if (l != null) {
        l.callEnd(this);
      }
    }

    @Override public void addEventListener(EventListener eventListener) {
      listener = eventListener;
    }

    @Override public boolean isCanceled() {
      return false;
    }

    @Override public Request request() {
      throw new UnsupportedOperationException();
    }

    @Override public Response execute() {
      throw new UnsupportedOperationException();
    }

    @Override public void enqueue(Callback callback) {
      throw new UnsupportedOperationException();
    }

    @Override public void cancel() {
      throw new UnsupportedOperationException();
    }

    @Override public boolean isExecuted() {
      return true;
    }

    @Override public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override public <T> T tag(KClass<T> type) {
      return null;
    }

    @Override public <T> T tag(Class<? extends T> type) {
      return null;
    }

    @Override public <T> T tag(KClass<T> type, Function0<? extends T> computeIfAbsent) {
      throw new UnsupportedOperationException();
    }

    @Override public <T> T tag(Class<T> type, Function0<? extends T> computeIfAbsent) {
      throw new UnsupportedOperationException();
    }

    @Override public Call clone() {
      throw new UnsupportedOperationException();
    }
  }

  /** An application-interceptor chain whose next step answers at once; settings are ignored. */
  static final class FakeChain implements Interceptor.Chain {
    private final Request request;
    private final Response response;
    private final Call call;

    FakeChain(Request request, Response response, Call call) {
      this.request = request;
      this.response = response;
      this.call = call;
    }

    @Override public Request request() {
      return request;
    }

    @Override public Response proceed(Request request) {
      return response;
    }

    @Override public @Nullable Connection connection() {
      return null;
    }

    @Override public Call call() {
      return call;
    }

    @Override public boolean getRetryOnConnectionFailure() {
      return true;
    }

    @Override public Interceptor.Chain withDns(Dns dns) {
      return this;
    }

    @Override public Interceptor.Chain withSocketFactory(SocketFactory socketFactory) {
      return this;
    }

    @Override public Interceptor.Chain withRetryOnConnectionFailure(boolean retry) {
      return this;
    }

    @Override public @Nullable Proxy getProxy() {
      return null;
    }

    @Override public Interceptor.Chain withProxy(@Nullable Proxy proxy) {
      return this;
    }

    // Below: what the interceptor never touches.
    @Override public int connectTimeoutMillis() {
      return 10_000;
    }

    @Override public Interceptor.Chain withConnectTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override public int readTimeoutMillis() {
      return 10_000;
    }

    @Override public Interceptor.Chain withReadTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override public int writeTimeoutMillis() {
      return 10_000;
    }

    @Override public Interceptor.Chain withWriteTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override public boolean getFollowSslRedirects() {
      return true;
    }

    @Override public boolean getFollowRedirects() {
      return true;
    }

    @Override public Dns getDns() {
      return Dns.SYSTEM;
    }

    @Override public SocketFactory getSocketFactory() {
      return SocketFactory.getDefault();
    }

    @Override public Authenticator getAuthenticator() {
      return Authenticator.NONE;
    }

    @Override public Interceptor.Chain withAuthenticator(Authenticator authenticator) {
      return this;
    }

    @Override public CookieJar getCookieJar() {
      return CookieJar.NO_COOKIES;
    }

    @Override public Interceptor.Chain withCookieJar(CookieJar cookieJar) {
      return this;
    }

    @Override public @Nullable Cache getCache() {
      return null;
    }

    @Override public Interceptor.Chain withCache(@Nullable Cache cache) {
      return this;
    }

    @Override public ProxySelector getProxySelector() {
      return ProxySelector.getDefault();
    }

    @Override public Interceptor.Chain withProxySelector(ProxySelector proxySelector) {
      return this;
    }

    @Override public Authenticator getProxyAuthenticator() {
      return Authenticator.NONE;
    }

    @Override public Interceptor.Chain withProxyAuthenticator(Authenticator authenticator) {
      return this;
    }

    @Override public @Nullable SSLSocketFactory getSslSocketFactoryOrNull() {
      return null;
    }

    @Override public Interceptor.Chain withSslSocketFactory(@Nullable SSLSocketFactory factory,
        @Nullable X509TrustManager trustManager) {
      return this;
    }

    @Override public @Nullable X509TrustManager getX509TrustManagerOrNull() {
      return null;
    }

    @Override public HostnameVerifier getHostnameVerifier() {
      return (host, session) -> false;
    }

    @Override public Interceptor.Chain withHostnameVerifier(HostnameVerifier verifier) {
      return this;
    }

    @Override public CertificatePinner getCertificatePinner() {
      return CertificatePinner.DEFAULT;
    }

    @Override public Interceptor.Chain withCertificatePinner(CertificatePinner pinner) {
      return this;
    }

    @Override public ConnectionPool getConnectionPool() {
      throw new UnsupportedOperationException();
    }

    @Override public Interceptor.Chain withConnectionPool(ConnectionPool connectionPool) {
      return this;
    }

    @Override public EventListener getEventListener() {
      return EventListener.NONE;
    }
  }
}
