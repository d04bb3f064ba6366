package dev.loadstar.examples.snippets;

import dev.loadstar.LoadBalancer;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Snippet: an existing OkHttp client, wrapped so that its calls name services, not hosts. */
public final class WrapAClient {
  private WrapAClient() {}

  /** {@code existing} with the load-balancing interceptor; {@code existing} is left as it was. */
  public static OkHttpClient wrap(OkHttpClient existing, LoadBalancer lb) {
    // README:begin
    OkHttpClient client = existing.newBuilder()               // same pool, threads, timeouts
        .addInterceptor(LoadBalancingInterceptor.create(lb))  // application, not network
        .build();
    // README:end
    return client;
  }

  /** GETs order {@code id} from whichever node of {@code orders} is picked. */
  public static String order(OkHttpClient client, String id) throws IOException {
    // README:begin
    Request request = new Request.Builder().url("http://orders/api/orders/" + id).build();
    try (Response response = client.newCall(request).execute()) {  // a node of "orders"
      return response.body().string();                             // the lease ends with the body
    }
    // README:end
  }
}
