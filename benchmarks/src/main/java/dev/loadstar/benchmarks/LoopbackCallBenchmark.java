package dev.loadstar.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
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
 * End to end on loopback with keep-alive: a plain OkHttp call to a JDK HttpServer against the
 * same call through the interceptor (one node, so both reuse one pooled connection).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dsun.net.httpserver.nodelay=true")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LoopbackCallBenchmark {
  private HttpServer server;
  private OkHttpClient plain;
  private OkHttpClient balanced;
  private LoadBalancer lb;
  private Request direct;
  private final Request logical = new Request.Builder().url("http://orders/ping").build();

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", exchange -> {
      byte[] body = "pong".getBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
    int port = server.getAddress().getPort();
    direct = new Request.Builder().url("http://127.0.0.1:" + port + "/ping").build();
    lb = LoadBalancer.builder().defaultStrategy(Strategies.peakEwma()).build();
    lb.registry().update("orders", java.util.List.of(Node.of("127.0.0.1", port)));
    plain = new OkHttpClient();
    balanced = plain.newBuilder().addInterceptor(LoadBalancingInterceptor.create(lb)).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.stop(0);
    lb.close();
  }

  @Benchmark
  public String plainCall() throws IOException {
    try (Response r = plain.newCall(direct).execute()) {
      return r.body().string();
    }
  }

  @Benchmark
  public String balancedCall() throws IOException {
    try (Response r = balanced.newCall(logical).execute()) {
      return r.body().string();
    }
  }
}
