package dev.loadstar.examples.snippets;

import dev.loadstar.LoadBalancer;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.okhttp.HashKeySource;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import okhttp3.OkHttpClient;

/** Snippet: every request of one user goes to the same node of {@code carts}, by a header. */
public final class StickyRoutingByHeader {
  private StickyRoutingByHeader() {}

  /** A balancer whose {@code carts} service hashes requests onto a ring. */
  public static LoadBalancer balancer() {
    // README:begin
    LoadBalancer lb = LoadBalancer.builder()
        .service("carts", ServiceConfig.builder()
            .strategy(Strategies.ringHash().boundedLoad(1.25))  // no node over 125% of the average
            .build())
        .build();
    // README:end
    return lb;
  }

  /** A client that takes each call's hash key from its {@code X-User-Id} header. */
  public static OkHttpClient client(LoadBalancer lb) {
    // README:begin
    OkHttpClient client = new OkHttpClient.Builder()
        .addInterceptor(LoadBalancingInterceptor.builder(lb)
            .hashKey(HashKeySource.header("X-User-Id"))  // same user, same node
            .build())
        .build();
    // README:end
    return client;
  }
}
