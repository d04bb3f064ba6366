package dev.loadstar.benchmarks;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
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
 * The interceptor's own work per call, in isolation: a real OkHttp call whose chain ends in an
 * application interceptor that answers at once (no network). {@link #withoutInterceptor} is the
 * same call without Loadstar; the difference of the two (time and, with -prof gc, bytes) is what
 * the interceptor costs: pick, pointing the request at the node, outcome feedback, and releasing
 * the lease when the body is closed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class InterceptorOverheadBenchmark {
  private OkHttpClient plain;
  private OkHttpClient balanced;
  private OkHttpClient keepingHost;
  private LoadBalancer lb;
  private final Request direct = new Request.Builder().url("http://127.0.0.1:10000/api/42").build();
  private final Request logical = new Request.Builder().url("http://orders/api/42").build();

  /** What OkHttp's network layer would have answered; its presence marks a node's answer. */
  private static final Response NETWORK = new Response.Builder()
      .request(new Request.Builder().url("http://127.0.0.1:10000/api/42").build())
      .protocol(Protocol.HTTP_1_1).code(200).message("OK").build();

  /** Answers every call with a small 200, as a server would, without any I/O. */
  private static final Interceptor ANSWER = chain -> new Response.Builder()
      .request(chain.request()).protocol(Protocol.HTTP_1_1).code(200).message("OK")
      .networkResponse(NETWORK).body(ResponseBody.create("ok", null)).build();

  @Setup(Level.Trial)
  public void setUp() {
    lb = LoadBalancer.builder().defaultStrategy(Strategies.peakEwma()).build();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      nodes.add(Node.of("127.0.0.1", 10_000 + i));
    }
    lb.registry().update("orders", nodes);
    plain = new OkHttpClient.Builder().addInterceptor(ANSWER).build();
    balanced = new OkHttpClient.Builder()
        .addInterceptor(LoadBalancingInterceptor.create(lb)).addInterceptor(ANSWER).build();
    keepingHost = new OkHttpClient.Builder()
        .addInterceptor(LoadBalancingInterceptor.builder(lb).keepServiceHost(true).build())
        .addInterceptor(ANSWER).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    lb.close();
  }

  @Benchmark
  public int withoutInterceptor() throws IOException {
    try (Response r = plain.newCall(direct).execute()) {
      return r.code();
    }
  }

  /** The default for {@code http}: the URL and request rebuilt with the node's host and port. */
  @Benchmark
  public int withInterceptor() throws IOException {
    try (Response r = balanced.newCall(logical).execute()) {
      return r.code();
    }
  }

  /**
   * The service name kept as host, the node reached through its cached {@code Dns} and socket
   * factory: how every {@code https} call is pointed, and {@code http} ones with
   * {@code keepServiceHost(true)}.
   */
  @Benchmark
  public int withInterceptorKeepingHost() throws IOException {
    try (Response r = keepingHost.newCall(logical).execute()) {
      return r.code();
    }
  }
}
