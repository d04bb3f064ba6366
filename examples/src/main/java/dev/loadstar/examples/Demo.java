package dev.loadstar.examples;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.okhttp.HashKeySource;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import dev.loadstar.registry.HealthListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The zero-setup demo: four backends on loopback (one ten times slower, one that starts failing
 * halfway through each run), an OkHttp client with Loadstar's interceptor, and a few thousand GETs
 * through every strategy. Prints progress, then a table per strategy (requests per node, failures
 * the caller saw, retries, ejections, p50/p99/max latency), and writes the same as JSON and as an
 * SVG chart under {@code target/}.
 *
 * <p>Run it with {@code mvn -q -Pdemo -DskipTests verify}. Options: {@code --calls N},
 * {@code --consul http://127.0.0.1:8500} for the Consul walk-through.
 */
public final class Demo {
  static final String SERVICE = "demo";
  static final long[] DELAYS_MILLIS = {2, 2, 20, 2};
  static final int SLOW = 2;
  static final int DYING = 3;
  static final List<String> STRATEGIES = List.of("round-robin", "weighted-round-robin", "random",
      "least-requests", "peak-ewma", "ring-hash", "maglev");
  static final Path REPORT_DIR = Path.of("target");

  /**
   * What one strategy did.
   *
   * @param callsPerNode requests each backend received (attempts, retries included)
   * @param failures calls that failed for the caller (after retries)
   * @param retries attempts beyond the first, summed over calls
   * @param ejections nodes ejected by their breakers during the run
   */
  record Result(String strategy, Map<String, Integer> callsPerNode, int calls, int failures,
      int retries, int ejections, double p50Millis, double p99Millis, double maxMillis) {}

  private Demo() {}

  public static void main(String[] args) throws Exception {
    int calls = 2_000;
    String consul = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--calls") && i + 1 < args.length) {
        calls = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--consul") && i + 1 < args.length) {
        consul = args[++i];
      } else if (!args[i].isBlank()) {
        System.err.println("usage: Demo [--calls N] [--consul http://127.0.0.1:8500]"
            + "  (unknown argument: '" + args[i] + "')");
        System.exit(2);
      }
    }
    if (consul != null) {
      System.exit(ConsulWalkthrough.run(consul, System.out));
    }
    run(calls, 8, System.out, REPORT_DIR);
    System.exit(0);
  }

  /** Runs every strategy with {@code calls} calls from {@code concurrency} threads. */
  static List<Result> run(int calls, int concurrency, PrintStream out, Path reportDir)
      throws Exception {
    List<Result> results = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (Backends backends = new Backends(DELAYS_MILLIS)) {
      backends.nodes().forEach(n -> names.add(n.id()));
      out.printf(Locale.ROOT, "Loadstar demo: %d backends on loopback answering in %s ms;"
          + " node-%d is slow, node-%d starts failing (503) halfway through each run.%n"
          + "%d GETs per strategy from %d threads, through OkHttp + LoadBalancingInterceptor.%n%n",
          DELAYS_MILLIS.length, Arrays.toString(DELAYS_MILLIS), SLOW, DYING, calls, concurrency);
      for (String strategy : STRATEGIES) {
        backends.reset();
        results.add(runOne(strategy, backends, names, calls, concurrency, out));
      }
    }
    out.println();
    DemoReport.printTable(results, names, out);
    out.printf(Locale.ROOT, "%nnode-%d answers in %d ms, the others in %d ms: latency-aware"
        + " strategies send it less. node-%d fails halfway: its breaker ejects it, and GETs that"
        + " hit it are retried on another node, so the caller sees no failure.%n",
        SLOW, DELAYS_MILLIS[SLOW], DELAYS_MILLIS[0], DYING);
    Path json = reportDir.resolve("demo-report.json");
    Path svg = reportDir.resolve("demo-report.svg");
    DemoReport.writeJson(results, json);
    DemoReport.writeSvg(results, names, "node-" + SLOW + " is 10x slower; node-" + DYING
        + " fails from halfway", svg);
    out.printf(Locale.ROOT, "Report: %s and %s%n", json.toAbsolutePath(), svg.toAbsolutePath());
    return results;
  }

  private static Result runOne(String strategy, Backends backends, List<String> names, int calls,
      int concurrency, PrintStream out) throws Exception {
    LongAdder ejections = new LongAdder();
    try (LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.byName(strategy))
        .healthInterval(Duration.ofMillis(50)).build()) {
      lb.addHealthListener(new HealthListener() {
        @Override
        public void onEjected(String service, Node node) {
          ejections.increment();
        }
      });
      lb.registry().update(SERVICE, backends.nodes());
      Dispatcher dispatcher = new Dispatcher();
      dispatcher.setMaxRequestsPerHost(concurrency * 2);
      OkHttpClient client = new OkHttpClient.Builder()
          .dispatcher(dispatcher)
          .connectionPool(new ConnectionPool(concurrency * 2, 30, TimeUnit.SECONDS))
          .callTimeout(Duration.ofSeconds(10))
          .addInterceptor(LoadBalancingInterceptor.builder(lb)
              .hashKey(HashKeySource.header("X-User")).build())
          .build();
      double[] latencies = new double[calls];
      AtomicInteger next = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      LongAdder failures = new LongAdder();
      ExecutorService pool = Executors.newFixedThreadPool(concurrency);
      long started = System.nanoTime();
      try {
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
          workers.add(pool.submit(() -> {
            for (int i; (i = next.getAndIncrement()) < calls; ) {
              if (i == calls / 2) {
                backends.failing(DYING, true);
              }
              Request request = new Request.Builder().url("http://" + SERVICE + "/work?n=" + i)
                  .header("X-User", "user-" + (i % 500)).build();
              long start = System.nanoTime();
              try (Response response = client.newCall(request).execute()) {
                response.body().string();
                if (!response.isSuccessful()) {
                  failures.increment();
                }
              } catch (IOException e) {
                failures.increment();
              }
              latencies[i] = (System.nanoTime() - start) / 1e6;
              progress(out, strategy, done.incrementAndGet(), calls, started);
            }
            return null;
          }));
        }
        for (Future<?> w : workers) {
          w.get(2, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
      Arrays.sort(latencies);
      Map<String, Integer> perNode = new LinkedHashMap<>();
      int attempts = 0;
      for (int i = 0; i < names.size(); i++) {
        perNode.put(names.get(i), backends.requests(i));
        attempts += backends.requests(i);
      }
      return new Result(strategy, perNode, calls, failures.intValue(), attempts - calls,
          ejections.intValue(), percentile(latencies, 50), percentile(latencies, 99),
          latencies[latencies.length - 1]);
    }
  }

  /** One line per strategy, redrawn in place every 10% (a plain line per step without a TTY). */
  private static void progress(PrintStream out, String strategy, int done, int calls, long started) {
    int step = Math.max(1, calls / 10);
    if (done % step != 0 && done != calls) {
      return;
    }
    synchronized (out) {
      int filled = (int) (10L * done / calls);
      String bar = "#".repeat(filled) + ".".repeat(10 - filled);
      String line = String.format(Locale.ROOT, "  %-22s [%s] %5d/%d  %.1f s", strategy, bar, done,
          calls, (System.nanoTime() - started) / 1e9);
      if (System.console() != null) {
        out.print("\r" + line + (done == calls ? "\n" : ""));
      } else if (done == calls) {
        out.println(line);
      }
      out.flush();
    }
  }

  static double percentile(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
