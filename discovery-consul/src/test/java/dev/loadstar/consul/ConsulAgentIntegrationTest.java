package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.Node;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Against a real Consul agent, when {@code CONSUL_HTTP_ADDR} is set (as the consul CLI reads it:
 * {@code 127.0.0.1:8500} or a full URL; {@code CONSUL_HTTP_SSL=true} for https without a scheme;
 * {@code CONSUL_HTTP_TOKEN} if ACLs are on). For example:
 * {@code consul agent -dev & CONSUL_HTTP_ADDR=127.0.0.1:8500 mvn -pl discovery-consul test}.
 */
@ExtendWith(TokenNeverLogged.class)
class ConsulAgentIntegrationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private String address;
  private @Nullable String token;

  @BeforeEach
  void requireAgent() {
    String addr = System.getenv("CONSUL_HTTP_ADDR");
    Assumptions.assumeTrue(addr != null && !addr.isBlank(),
        "CONSUL_HTTP_ADDR not set: skipping tests against a real Consul agent");
    boolean tls = "true".equalsIgnoreCase(System.getenv("CONSUL_HTTP_SSL"));
    address = addr.contains("://") ? addr : (tls ? "https://" : "http://") + addr;
    token = System.getenv("CONSUL_HTTP_TOKEN");
  }

  private ConsulRegistration register(String service, String id, int port) throws IOException {
    return ConsulRegistration.builder().address(address).token(token).name(service).id(id)
        .serviceAddress("127.0.0.1").port(port).tag("loadstar-it").meta("instance", id)
        .weights(5, 1).ttlCheck(Duration.ofSeconds(60)).register();
  }

  @Test
  @SuppressWarnings("try") // b is closed inside the block on purpose: that deregisters it
  void watchSeesRegisteredInstancesAndFollowsADeregistration() throws IOException {
    String service = "loadstar-it-" + UUID.randomUUID().toString().substring(0, 8);
    try (RecordingRegistry registry = new RecordingRegistry();
        ConsulRegistration a = register(service, service + "-a", 18081);
        ConsulRegistration b = register(service, service + "-b", 18082);
        ConsulDiscovery discovery = ConsulDiscovery.builder().address(address).token(token)
            .wait(Duration.ofSeconds(2)).backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .tag("loadstar-it").build()) {
      // A TTL check starts critical: pass both before watching (passing-only is the default).
      a.pass();
      b.pass();
      discovery.watch(service, registry);

      Await.until(TIMEOUT, () -> registry.nodes(service).size() == 2,
          () -> "both instances of " + service + " (now: " + registry.nodes(service) + ")");
      assertThat(registry.nodes(service)).extracting(Node::host, Node::port, Node::weight)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("127.0.0.1", 18081, 5),
              org.assertj.core.groups.Tuple.tuple("127.0.0.1", 18082, 5));
      assertThat(registry.nodes(service)).allSatisfy(n -> {
        assertThat(n.id()).endsWith("/" + n.metadata().get("instance"));
        assertThat(n.tags()).contains("loadstar-it");
      });

      b.close(); // deregisters
      Await.until(TIMEOUT, () -> registry.nodes(service).size() == 1,
          () -> "the deregistration followed (now: " + registry.nodes(service) + ")");
      assertThat(registry.nodes(service)).extracting(Node::port).containsExactly(18081);
      assertThat(registry.changes().get(registry.changeCount() - 1).change().removed())
          .extracting(Node::port).containsExactly(18082);
    }
  }
}
