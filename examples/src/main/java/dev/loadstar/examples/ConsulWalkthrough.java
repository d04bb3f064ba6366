package dev.loadstar.examples;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.Strategies;
import dev.loadstar.consul.ConsulDiscovery;
import dev.loadstar.consul.ConsulRegistration;
import dev.loadstar.okhttp.LoadBalancingInterceptor;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The Consul walk-through ({@code Demo --consul http://127.0.0.1:8500}): three embedded backends
 * register themselves with the local agent (HTTP health checks, through
 * {@link ConsulRegistration}); the client discovers them by blocking queries
 * ({@link ConsulDiscovery}); one backend is stopped, its check fails, and the client's view follows.
 * Needs a Consul agent on this machine, such as {@code consul agent -dev}.
 */
final class ConsulWalkthrough {
  static final String SERVICE = "loadstar-demo";

  private ConsulWalkthrough() {}

  /** @return the process exit code: 0 when the walk-through ran, 2 when Consul is unreachable */
  static int run(String address, PrintStream out) throws Exception {
    String token = System.getenv("CONSUL_HTTP_TOKEN");
    List<ConsulRegistration> registrations = new ArrayList<>();
    try (Backends backends = new Backends(2, 2, 2);
        LoadBalancer lb = LoadBalancer.builder().defaultStrategy(Strategies.peakEwma()).build()) {
      try {
        for (Node node : backends.nodes()) {
          registrations.add(ConsulRegistration.builder().address(address).token(token)
              .name(SERVICE).id(SERVICE + "-" + node.id()).serviceAddress(node.host())
              .port(node.port()).tag("loadstar-demo")
              .httpCheck("http://" + node.address() + "/health", Duration.ofSeconds(1))
              .deregisterCriticalAfter(Duration.ofMinutes(1)).register());
          out.printf(Locale.ROOT, "registered %s (%s) with Consul at %s%n", node.id(),
              node.address(), address);
        }
      } catch (IOException e) {
        out.printf(Locale.ROOT, "Consul is not reachable at %s (%s).%nStart a local agent with"
            + " `consul agent -dev` and try again; see the README.%n", address, e.getMessage());
        registrations.forEach(ConsulRegistration::close);
        return 2;
      } catch (IllegalArgumentException e) {
        out.printf(Locale.ROOT, "Bad Consul address: %s%n", e.getMessage());
        return 2;
      }
      try (ConsulDiscovery consul = ConsulDiscovery.builder().address(address).token(token).build()) {
        lb.registry().addListener(change -> out.printf(Locale.ROOT,
            "client view of '%s' changed: %d nodes %s%n", change.service(), change.nodes().size(),
            change.nodes().stream().map(Node::port).toList()));
        consul.watch(SERVICE, lb.registry());
        OkHttpClient client = new OkHttpClient.Builder()
            .addInterceptor(LoadBalancingInterceptor.create(lb)).build();

        out.println("waiting for Consul to report all three instances passing ...");
        if (!await(Duration.ofSeconds(30), () -> lb.registry().nodes(SERVICE).size() == 3)) {
          out.println("Consul did not report three passing instances within 30 s; giving up.");
          return 1;
        }
        out.println("300 calls: " + spread(client, 300));

        out.printf(Locale.ROOT, "stopping %s: its health check fails, Consul marks it critical,"
            + " and the blocking query returns at once ...%n", backends.nodes().get(0).id());
        backends.stop(0);
        if (!await(Duration.ofSeconds(30), () -> lb.registry().nodes(SERVICE).size() == 2)) {
          out.println("the client still sees three instances after 30 s; giving up.");
          return 1;
        }
        out.println("300 calls: " + spread(client, 300));
        client.dispatcher().executorService().shutdown();
      } finally {
        registrations.forEach(ConsulRegistration::close);
        out.println("deregistered the demo instances.");
      }
    }
    return 0;
  }

  private static Map<Integer, Integer> spread(OkHttpClient client, int calls) throws IOException {
    Map<Integer, Integer> perPort = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      try (Response r = client.newCall(new Request.Builder().url("http://" + SERVICE + "/").build())
          .execute()) {
        r.body().string();
        perPort.merge(r.request().url().port(), 1, Integer::sum);
      }
    }
    return perPort;
  }

  private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }
}
