package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import dev.loadstar.Node;
import dev.loadstar.NodeRegistry;
import dev.loadstar.registry.MembershipListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the watch puts on the wire: the path and query parameters, encoded so that Consul decodes
 * them back to what the user gave, and the ACL token only in the {@code X-Consul-Token} header.
 */
@ExtendWith(TokenNeverLogged.class)
class ConsulRequestTest {
  private static final String TOKEN = ConsulStandIn.TOKEN;

  private final ConsulStandIn consul = new ConsulStandIn();
  private final RecordingRegistry registry = new RecordingRegistry();

  @AfterEach
  void tearDown() {
    consul.close();
    registry.close();
  }

  @Test
  void serviceTagFilterAndDatacenterDecodeBackToTheOriginals() {
    // The core registry refuses names with spaces; the wire encoding is what is tested here, so
    // the nodes go to a plain map.
    String service = "my svc/ü";
    String filter = "Service.Meta.version == \"2\"";
    consul.setService(service, 7, Fixtures.instances(service, 2));
    Map<String, List<Node>> applied = new ConcurrentHashMap<>();

    try (ConsulDiscovery discovery = consul.discovery().tag("a b").tag("x&y=z").filter(filter)
        .datacenter("dc 1/ü").build()) {
      discovery.watch(service, new MapRegistry(applied));
      Await.until(Duration.ofSeconds(5), () -> consul.held(service) == 1,
          () -> "a blocking query for '" + service + "' (seen: " + consul.seen(service) + ")");
    }

    assertThat(applied.get(service)).hasSize(2);
    List<LoggedRequest> requests = consul.settledJournal();
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2);
    for (LoggedRequest r : requests) {
      String url = r.getUrl();
      assertThat(url).as("sent as ASCII").matches("\\p{ASCII}*").doesNotContain(" ");
      int q = url.indexOf('?');
      String rawSegment = url.substring(ConsulStandIn.HEALTH.length(), q);
      assertThat(rawSegment).as("one path segment").doesNotContain("/");
      assertThat(ConsulStandIn.decodePathSegment(rawSegment)).isEqualTo(service);

      Map<String, List<String>> query = goParseQuery(url.substring(q + 1));
      assertThat(query.get("tag")).containsExactly("a b", "x&y=z");
      assertThat(query.get("filter")).containsExactly(filter);
      assertThat(query.get("dc")).containsExactly("dc 1/ü");
      assertThat(query.get("passing")).containsExactly("true");
      // WireMock's own decoding agrees.
      assertThat(r.queryParameter("filter").firstValue()).isEqualTo(filter);
      assertThat(r.queryParameter("tag").values()).containsExactly("a b", "x&y=z");
    }
  }

  @Test
  void firstQueryReadsAtOnceThenBlocksWithIndexAndWait() {
    consul.setService("orders", 42, Fixtures.instances("orders", 1));

    try (ConsulDiscovery discovery = consul.discovery().build()) {
      discovery.watch("orders", registry);
      Await.until(Duration.ofSeconds(5), () -> consul.held("orders") == 1, "a blocking query");
    }

    List<ConsulStandIn.Seen> seen = consul.seen("orders");
    assertThat(seen.get(0).index()).isNull();
    assertThat(seen.get(0).waitParam()).isNull();
    assertThat(seen.get(1).index()).isEqualTo("42");
    assertThat(seen.get(1).waitParam()).isEqualTo("2s");
  }

  @Test
  void consistencyAndCacheModesBecomeQueryFlags() {
    consul.setService("stale", 3, Fixtures.instances("stale", 1));
    consul.setService("consistent", 3, Fixtures.instances("consistent", 1));

    try (ConsulDiscovery stale = consul.discovery().consistency(ConsulConsistency.STALE).cached(true)
        .passingOnly(false).build();
        ConsulDiscovery consistent = consul.discovery().consistency(ConsulConsistency.CONSISTENT)
            .build()) {
      stale.watch("stale", registry);
      consistent.watch("consistent", registry);
      Await.until(Duration.ofSeconds(5),
          () -> consul.held("stale") == 1 && consul.held("consistent") == 1, "blocking queries");
    }

    for (LoggedRequest r : consul.settledJournal()) {
      Map<String, List<String>> query = goParseQuery(r.getUrl().substring(r.getUrl().indexOf('?') + 1));
      if (r.getUrl().startsWith(ConsulStandIn.HEALTH + "stale?")) {
        assertThat(query).containsKeys("stale", "cached").doesNotContainKeys("consistent", "passing");
      } else {
        assertThat(query).containsKeys("consistent", "passing").doesNotContainKeys("stale", "cached");
      }
    }
  }

  @Test
  void tokenTravelsOnlyInTheHeader() {
    consul.setService("orders", 5, Fixtures.instances("orders", 2));
    int mark = LogCapture.mark();

    try (ConsulDiscovery discovery = consul.discovery().token(TOKEN).build()) {
      assertThat(discovery.toString()).doesNotContain(TOKEN);
      discovery.watch("orders", registry);
      Await.until(Duration.ofSeconds(5), () -> consul.held("orders") == 1, "a blocking query");
      // Failures are logged: none of them may carry the token.
      consul.script("orders", ConsulStandIn.Reply.aclNotFound(),
          ConsulStandIn.Reply.noClusterLeader(), ConsulStandIn.Reply.htmlErrorPage(502),
          ConsulStandIn.Reply.connectionReset(), ConsulStandIn.Reply.truncated(6,
              Fixtures.instances("orders", 2)));
      consul.wake("orders");
      int before = consul.requests("orders");
      Await.until(Duration.ofSeconds(10),
          () -> consul.requests("orders") >= before + 7 && consul.held("orders") == 1,
          () -> "the scripted failures and a recovery (seen " + consul.seen("orders") + ")");
    }

    assertThat(consul.seen("orders")).isNotEmpty()
        .allSatisfy(s -> assertThat(s.token()).isEqualTo(TOKEN));
    assertThat(consul.settledJournal()).isNotEmpty().allSatisfy(r -> {
      assertThat(r.getUrl()).doesNotContain(TOKEN).doesNotContainIgnoringCase("token");
      assertThat(r.getHeader("X-Consul-Token")).isEqualTo(TOKEN);
    });
    String log = LogCapture.since(mark);
    assertThat(log).contains("ACL").contains("No cluster leader");
    assertThat(log).doesNotContain(TOKEN);
    assertThat(LogCapture.all()).doesNotContain(TOKEN);
  }

  @Test
  void noTokenMeansNoTokenHeader() {
    consul.setService("orders", 5, Fixtures.instances("orders", 1));

    try (ConsulDiscovery discovery = consul.discovery().token("  ").build()) {
      discovery.watch("orders", registry);
      Await.until(Duration.ofSeconds(5), () -> consul.held("orders") == 1, "a blocking query");
    }

    assertThat(consul.settledJournal()).allSatisfy(r -> assertThat(r.containsHeader("X-Consul-Token")).isFalse());
  }

  /** A registry that takes any service name. */
  record MapRegistry(Map<String, List<Node>> nodes) implements NodeRegistry {
    @Override
    public void update(String service, List<Node> list) {
      nodes.put(service, List.copyOf(list));
    }

    @Override
    public List<Node> nodes(String service) {
      return nodes.getOrDefault(service, List.of());
    }

    @Override
    public Set<String> services() {
      return nodes.keySet();
    }

    @Override
    public AutoCloseable addListener(MembershipListener listener) {
      throw new UnsupportedOperationException();
    }
  }

  /** Go's url.ParseQuery: split on '&', then '=', then QueryUnescape ('+' is a space). */
  static Map<String, List<String>> goParseQuery(String rawQuery) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }
}
