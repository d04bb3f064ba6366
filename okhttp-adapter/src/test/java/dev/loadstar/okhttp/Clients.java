package dev.loadstar.okhttp;

import dev.loadstar.LoadBalancer;
import dev.loadstar.ServiceConfig;
import dev.loadstar.registry.NodeStats;
import dev.loadstar.registry.ServiceRegistry;
import dev.loadstar.strategy.Strategy;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Shared helpers: balancers and clients set up the same way in every test, and their teardown. */
final class Clients {
  /** The service every test calls. */
  static final String SERVICE = "orders";
  static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

  private Clients() {}

  /**
   * A balancer for {@link #SERVICE} with {@code strategy}, a seeded random source (seed 42) and no
   * slow start, so that every node takes its full share from the first call.
   */
  static LoadBalancer balancer(Strategy strategy) {
    return balancer(strategy, ServiceConfig.builder().slowStartWindow(Duration.ZERO).build());
  }

  static LoadBalancer balancer(Strategy strategy, ServiceConfig config) {
    return LoadBalancer.builder()
        .defaultStrategy(strategy)
        .service(SERVICE, config)
        .random(new Random(42))
        .build();
  }

  /** A client with {@code interceptor} as its application interceptor, every call bounded. */
  static OkHttpClient client(Interceptor interceptor) {
    return builder(interceptor).build();
  }

  static OkHttpClient.Builder builder(Interceptor interceptor) {
    return new OkHttpClient.Builder()
        .addInterceptor(interceptor)
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(15));
  }

  /** Releases a client's threads and pooled connections. */
  static void shutdown(OkHttpClient client) {
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdownNow();
    client.connectionPool().evictAll();
  }

  static Request get(String pathAndQuery) {
    return new Request.Builder().url("http://" + SERVICE + pathAndQuery).build();
  }

  static Request post(String path, String body) {
    return new Request.Builder().url("http://" + SERVICE + path)
        .post(RequestBody.create(body, TEXT)).build();
  }

  /** Executes {@code request} and returns the body as text (which closes the response). */
  static String call(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      return response.body().string();
    }
  }

  /** Requests in flight on the current nodes of {@link #SERVICE}. */
  static int inFlight(LoadBalancer lb) {
    int sum = 0;
    for (NodeStats s : ((ServiceRegistry) lb.registry()).stats(SERVICE)) {
      sum += s.inFlight();
    }
    return sum;
  }

  /** The live stats of one current node of {@link #SERVICE}. */
  static NodeStats stats(LoadBalancer lb, Backend backend) {
    String id = backend.node().id();
    return ((ServiceRegistry) lb.registry()).stats(SERVICE).stream()
        .filter(s -> s.node().id().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no node " + id + " in service " + SERVICE));
  }
}
