package dev.loadstar.examples;

import dev.loadstar.Lease;
import dev.loadstar.LoadBalancer;
import dev.loadstar.Strategies;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The zero-setup demo: four backends on loopback, one of them ten times slower, and a burst of
 * calls through each strategy. Prints, per strategy, how the calls spread and what latency the
 * caller saw. Run it with {@code mvn -q -Pdemo -DskipTests verify}.
 */
public final class Demo {
  static final String SERVICE = "demo";
  static final long[] DELAYS_MILLIS = {2, 2, 2, 20};
  static final List<String> STRATEGIES =
      List.of("round-robin", "weighted-round-robin", "random", "least-requests", "peak-ewma");

  /** What one strategy did: calls per node id and the caller's latencies in ms, sorted. */
  record Result(String strategy, Map<String, Integer> callsPerNode, double[] latenciesMillis, int failures) {
    double percentile(double p) {
      int i = (int) Math.ceil(p / 100.0 * latenciesMillis.length) - 1;
      return latenciesMillis[Math.max(0, Math.min(latenciesMillis.length - 1, i))];
    }
  }

  private Demo() {}

  public static void main(String[] args) throws Exception {
    int calls = 2_000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--calls") && i + 1 < args.length) {
        calls = Integer.parseInt(args[++i]);
      } else if (!args[i].isBlank()) {
        System.err.println("usage: Demo [--calls N]  (unknown argument: '" + args[i] + "')");
        System.exit(2);
      }
    }
    run(calls, 8, System.out);
  }

  /** Runs every strategy with {@code calls} calls from {@code concurrency} threads. */
  static List<Result> run(int calls, int concurrency, PrintStream out) throws Exception {
    List<Result> results = new ArrayList<>();
    try (Backends backends = new Backends(DELAYS_MILLIS)) {
      out.printf("Loadstar demo: %d backends on loopback, delays %s ms (node-3 is the slow one),%n"
          + "%d calls per strategy from %d threads.%n%n", DELAYS_MILLIS.length,
          Arrays.toString(DELAYS_MILLIS), calls, concurrency);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      for (String strategy : STRATEGIES) {
        LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.byName(strategy)).build();
        lb.registry().update(SERVICE, backends.nodes());
        Result r = runOne(strategy, lb, http, calls, concurrency);
        results.add(r);
        out.printf("  %-22s done%n", strategy);
      }
    }
    print(results, out);
    return results;
  }

  private static Result runOne(String strategy, LoadBalancer lb, HttpClient http, int calls, int concurrency)
      throws Exception {
    Map<String, AtomicInteger> perNode = new ConcurrentHashMap<>();
    double[] latencies = new double[calls];
    AtomicInteger next = new AtomicInteger();
    LongAdder failures = new LongAdder();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < concurrency; t++) {
        workers.add(pool.submit(() -> {
          for (int i; (i = next.getAndIncrement()) < calls; ) {
            long start = System.nanoTime();
            try (Lease lease = lb.pick(SERVICE)) {
              URI uri = URI.create("http://" + lease.node().address() + "/");
              try {
                HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - start;
                if (response.statusCode() >= 500) {
                  lease.failure(new IOException("HTTP " + response.statusCode()), took);
                  failures.increment();
                } else {
                  lease.success(took);
                }
              } catch (IOException e) {
                lease.failure(e, System.nanoTime() - start);
                failures.increment();
              }
              perNode.computeIfAbsent(lease.node().id(), k -> new AtomicInteger()).incrementAndGet();
            }
            latencies[i] = (System.nanoTime() - start) / 1e6;
          }
          return null;
        }));
      }
      for (Future<?> w : workers) {
        w.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    Arrays.sort(latencies);
    Map<String, Integer> counts = new TreeMap<>();
    perNode.forEach((id, c) -> counts.put(id, c.get()));
    return new Result(strategy, counts, latencies, failures.intValue());
  }

  private static void print(List<Result> results, PrintStream out) {
    out.printf("%n%-22s %8s %8s %8s %8s %9s %8s %8s %8s%n", "strategy", "node-0", "node-1",
        "node-2", "node-3*", "failures", "p50 ms", "p99 ms", "max ms");
    for (Result r : results) {
      out.printf("%-22s %8d %8d %8d %8d %9d %8.1f %8.1f %8.1f%n", r.strategy(),
          r.callsPerNode().getOrDefault("node-0", 0), r.callsPerNode().getOrDefault("node-1", 0),
          r.callsPerNode().getOrDefault("node-2", 0), r.callsPerNode().getOrDefault("node-3", 0),
          r.failures(), r.percentile(50), r.percentile(99), r.percentile(100));
    }
    out.println("\n* node-3 answers in 20 ms, the others in 2 ms: latency-aware strategies send it less.");
  }
}
