package dev.loadstar.consul;

import com.ecwid.consul.SingleUrlParameters;
import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.Request;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.http.Header;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.client.methods.HttpRequestWrapper;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.jspecify.annotations.Nullable;

/**
 * {@link ConsulTransport} over consul-api's {@link ConsulRawClient} and an Apache HTTP client
 * Loadstar owns.
 *
 * <ul>
 *   <li>The ACL token is set as {@code X-Consul-Token} by a request interceptor of our client and
 *       never passed to consul-api, whose typed calls put it in the URL. Not a default header:
 *       consul-api 1.4.5 adds {@code X-Consul-Token} with a null value to every request
 *       ({@code Utils.createTokenMap(null)}), and Apache's {@code RequestDefaultHeaders} skips a
 *       default header the request already has, so the token would never be sent.
 *   <li>Timeouts are explicit: the read timeout covers a blocking query's wait plus Consul's up to
 *       wait/16 jitter plus a margin, so a dead connection is noticed and a long poll is not cut.
 *   <li>The pool holds one connection per watch (Apache's default is 2 per route, which would
 *       queue the third watch behind two 5-minute polls).
 *   <li>consul-api reads only a few headers; a response interceptor keeps all of them, per thread,
 *       and a request interceptor remembers each thread's request so {@link #abort} can cut it.
 * </ul>
 */
final class EcwidTransport implements ConsulTransport {
  private static final String TOKEN_HEADER = "X-Consul-Token";
  private final CloseableHttpClient http;
  private final ConsulRawClient consul;
  private final Map<Thread, HttpRequestBase> inFlight = new ConcurrentHashMap<>();
  private final ThreadLocal<Map<String, String>> lastHeaders = new ThreadLocal<>();

  EcwidTransport(String address, @Nullable String token, Duration connectTimeout,
      Duration readTimeout, int maxConnections, @Nullable SSLContext tls) {
    RequestConfig timeouts = RequestConfig.custom()
        .setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()))
        .setConnectionRequestTimeout(Math.toIntExact(connectTimeout.toMillis()))
        .setSocketTimeout(Math.toIntExact(readTimeout.toMillis()))
        .build();
    var builder = HttpClients.custom()
        .setDefaultRequestConfig(timeouts)
        .setMaxConnTotal(maxConnections)
        .setMaxConnPerRoute(maxConnections)
        .disableAutomaticRetries()
        .disableCookieManagement()
        .addInterceptorFirst((HttpRequestInterceptor) (request, context) -> {
          // Replaces the empty X-Consul-Token consul-api puts on every request (see above).
          request.removeHeaders(TOKEN_HEADER);
          if (token != null) {
            request.addHeader(TOKEN_HEADER, token);
          }
          if (request instanceof HttpRequestWrapper wrapper
              && wrapper.getOriginal() instanceof HttpRequestBase original) {
            inFlight.put(Thread.currentThread(), original);
          }
        })
        .addInterceptorLast((HttpResponseInterceptor) (response, context) -> {
          Map<String, String> headers = new HashMap<>();
          for (Header h : response.getAllHeaders()) {
            headers.putIfAbsent(h.getName().toLowerCase(Locale.ROOT), h.getValue());
          }
          lastHeaders.set(headers);
        });
    if (tls != null) {
      builder.setSSLContext(tls);
    }
    this.http = builder.build();
    java.net.URI uri = java.net.URI.create(address);
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
    // consul-api joins scheme://host, port and path itself.
    this.consul = new ConsulRawClient(http, uri.getScheme() + "://" + uri.getHost(), port, path);
  }

  @Override
  public ConsulAnswer get(String path, List<Map.Entry<String, String>> query) throws IOException {
    List<UrlParameters> params = new ArrayList<>();
    for (Map.Entry<String, String> p : query) {
      params.add(new SingleUrlParameters(p.getKey(), p.getValue()));
    }
    Request request = Request.Builder.newBuilder().setEndpoint(path).addUrlParameters(params).build();
    return call(() -> consul.makeGetRequest(request));
  }

  @Override
  public ConsulAnswer put(String path, String json) throws IOException {
    // consul-api's raw PUT sends only the binary content of a Request.
    Request request = Request.Builder.newBuilder().setEndpoint(path)
        .setBinaryContent(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)).build();
    return call(() -> consul.makePutRequest(request));
  }

  private ConsulAnswer call(java.util.function.Supplier<HttpResponse> exchange) throws IOException {
    lastHeaders.remove();
    try {
      HttpResponse r = exchange.get();
      Map<String, String> headers = lastHeaders.get();
      return new ConsulAnswer(r.getStatusCode(), r.getContent() == null ? "" : r.getContent(),
          r.getConsulIndex(), headers == null ? Map.of() : Map.copyOf(headers));
    } catch (TransportException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException(e.getMessage(), e);
    } finally {
      inFlight.remove(Thread.currentThread());
      lastHeaders.remove();
    }
  }

  @Override
  public void abort(Thread thread) {
    HttpRequestBase request = inFlight.get(thread);
    if (request != null) {
      request.abort();
    }
  }

  @Override
  public void close() throws IOException {
    inFlight.values().forEach(HttpRequestBase::abort);
    http.close();
  }
}
