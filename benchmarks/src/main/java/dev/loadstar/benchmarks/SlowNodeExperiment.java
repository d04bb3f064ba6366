package dev.loadstar.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The tail-latency experiment: five loopback servers, one answering ten times slower (10 ms
 * against 1 ms), and a closed loop of calls through the interceptor with round robin,
 * least-requests and peak EWMA; then the same with no slow server. Prints p50, p99 and p99.9 of
 * the latency the caller sees, per strategy.
 *
 * <p>Run: {@code java -Dsun.net.httpserver.nodelay=true -cp benchmarks/target/benchmarks.jar
 * dev.loadstar.benchmarks.SlowNodeExperiment [calls] [threads] [decay-ms]} (defaults 20,000, 8 and
 * the default EWMA decay). Each
 * strategy first runs unmeasured calls for three decay times (at least 2 s), so connections are
 * open, the JIT is warm and the estimates have forgotten the cold start.
 */
public final class SlowNodeExperiment {
  private static final List<String> STRATEGIES = List.of("round-robin", "least-requests", "peak-ewma");

  private SlowNodeExperiment() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    Duration decay = args.length > 2 ? Duration.ofMillis(Long.parseLong(args[2]))
        : ServiceConfig.DEFAULT_EWMA_DECAY;
    System.out.printf(Locale.ROOT, "%d calls per strategy, %d threads, 5 servers, EWMA decay %s%n",
        calls, threads, decay);
    for (long[] delays : new long[][] {{1, 1, 1, 1, 10}, {1, 1, 1, 1, 1}}) {
      System.out.printf(Locale.ROOT, "%nserver delays (ms): %s%n", Arrays.toString(delays));
      System.out.printf(Locale.ROOT, "%-15s %9s %9s %9s %14s%n", "strategy", "p50 ms", "p99 ms",
          "p99.9 ms", "slow share %");
      List<HttpServer> servers = new ArrayList<>();
      List<Node> nodes = new ArrayList<>();
      ExecutorService serverThreads = Executors.newCachedThreadPool();
      AtomicInteger slowHits = new AtomicInteger();
      for (int i = 0; i < delays.length; i++) {
        long delay = delays[i];
        boolean slow = delay > 1;
        HttpServer server =
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.createContext("/", exchange -> {
          if (slow) {
            slowHits.incrementAndGet();
          }
          sleepMillis(delay);
          byte[] body = "ok".getBytes();
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
        server.setExecutor(serverThreads);
        server.start();
        servers.add(server);
        nodes.add(Node.of("127.0.0.1", server.getAddress().getPort()));
      }
      try {
        for (String strategy : STRATEGIES) {
          try (LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.byName(strategy))
              .service("svc", ServiceConfig.builder().ewmaDecay(decay).build()).build()) {
            lb.registry().update("svc", nodes);
            Dispatcher dispatcher = new Dispatcher();
            dispatcher.setMaxRequestsPerHost(threads * 2);
            OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(threads * 2, 1, TimeUnit.MINUTES))
                .dispatcher(dispatcher)
                .addInterceptor(LoadBalancingInterceptor.create(lb)).build();
            // Warm up for a few decay times: the first calls (new connections, a cold JIT) take
            // tens of ms, and peak EWMA holds a peak for a while by design.
            long warmUntil = System.nanoTime() + Math.max(2_000_000_000L, 3 * decay.toNanos());
            while (System.nanoTime() < warmUntil) {
              run(client, 2_000, threads);
            }
            slowHits.set(0);
            double[] latencies = run(client, calls, threads);
            Arrays.sort(latencies);
            System.out.printf(Locale.ROOT, "%-15s %9.2f %9.2f %9.2f %14.2f%n", strategy,
                percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 99.9),
                delays[4] > 1 ? 100.0 * slowHits.get() / calls : Double.NaN);
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
          }
        }
      } finally {
        servers.forEach(s -> s.stop(0));
        serverThreads.shutdownNow();
      }
    }
  }

  private static double[] run(OkHttpClient client, int calls, int threads) throws Exception {
    double[] latencies = new double[calls];
    AtomicInteger next = new AtomicInteger();
    Request request = new Request.Builder().url("http://svc/work").build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i; (i = next.getAndIncrement()) < calls; ) {
            long start = System.nanoTime();
            try (Response r = client.newCall(request).execute()) {
              r.body().string();
            }
            latencies[i] = (System.nanoTime() - start) / 1e6;
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return latencies;
  }

  private static double percentile(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(Duration.ofMillis(millis).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static {
    // Keep-alive calls to a JDK HttpServer otherwise wait ~40 ms on Nagle's algorithm.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }
}
