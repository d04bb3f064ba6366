package dev.loadstar.examples.snippets;

import dev.loadstar.LoadBalancer;
import dev.loadstar.consul.ConsulDiscovery;
import dev.loadstar.consul.ConsulRegistration;
import java.io.IOException;
import java.time.Duration;

/**
 * Snippet: a service's nodes kept in sync with Consul, and this process registered as a node of
 * its own service. Nothing happens until a method is called; both need a Consul agent.
 */
public final class ConsulDiscoveryExample {
  private ConsulDiscoveryExample() {}

  /** Keeps {@code orders} in {@code lb} equal to Consul's healthy instances until closed. */
  public static ConsulDiscovery watchOrders(LoadBalancer lb) {
    // README:begin
    ConsulDiscovery consul = ConsulDiscovery.builder()
        .address("http://127.0.0.1:8500")
        .token(System.getenv("CONSUL_HTTP_TOKEN"))  // sent only as X-Consul-Token; null: none
        .zoneMetaKey("zone")                        // a node's zone from Service.Meta.zone
        .build();
    consul.watch("orders", lb.registry());          // blocking queries until consul.close()
    // README:end
    return consul;
  }

  /** Registers this process as an instance of {@code orders}; closing deregisters it. */
  public static ConsulRegistration register(String host, int port) throws IOException {
    // README:begin
    ConsulRegistration registration = ConsulRegistration.builder()
        .address("http://127.0.0.1:8500")
        .token(System.getenv("CONSUL_HTTP_TOKEN"))
        .name("orders").serviceAddress(host).port(port)
        .httpCheck("http://" + host + ":" + port + "/health", Duration.ofSeconds(5))
        .register();  // close() deregisters
    // README:end
    return registration;
  }
}
