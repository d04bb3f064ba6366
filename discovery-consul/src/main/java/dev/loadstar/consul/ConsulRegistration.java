package dev.loadstar.consul;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this process as an instance of a service with the local Consul agent, with an HTTP or
 * TTL health check, and deregisters it on {@link #close()}: for callers that are services too.
 *
 * <pre>{@code
 * try (ConsulRegistration me = ConsulRegistration.builder()
 *     .address("http://127.0.0.1:8500").name("orders").id("orders-1")
 *     .serviceAddress("10.0.0.7").port(8080).weights(10, 1)
 *     .httpCheck("http://10.0.0.7:8080/health", Duration.ofSeconds(5)).register()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Goes through consul-api's raw client ({@code PUT /v1/agent/service/register}) with Loadstar's
 * own JSON, because consul-api's {@code NewService} has no {@code Weights} and its typed call
 * would put the token in the URL; the token travels only as the {@code X-Consul-Token} header.
 *
 * <p>Thread-safe.
 */
public final class ConsulRegistration implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsulRegistration.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConsulTransport transport;
  private final String id;
  private final String address;
  private final @Nullable Duration ttl;
  private volatile boolean closed;

  private ConsulRegistration(ConsulTransport transport, String id, String address,
      @Nullable Duration ttl) {
    this.transport = transport;
    this.id = id;
    this.address = address;
    this.ttl = ttl;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The service instance id registered. */
  public String id() {
    return id;
  }

  /**
   * Reports a TTL check as passing; call it more often than the TTL. Only for registrations made
   * with {@link Builder#ttlCheck}.
   */
  public void pass() throws IOException {
    if (ttl == null) {
      throw new IllegalStateException("registration '" + id + "' has no TTL check");
    }
    ConsulAnswer answer = transport.put("/v1/agent/check/pass/service:" + encode(id), "");
    check(answer, "pass the TTL check of '" + id + "'");
  }

  /** Deregisters the instance (once) and releases the HTTP client. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      ConsulAnswer answer = transport.put("/v1/agent/service/deregister/" + encode(id), "");
      check(answer, "deregister '" + id + "'");
    } catch (IOException e) {
      log.warn("could not deregister service instance '{}' from Consul at {}: {}", id, address,
          e.getMessage());
    } finally {
      try {
        transport.close();
      } catch (IOException ignored) {
        // shutting down
      }
    }
  }

  private static void check(ConsulAnswer answer, String what) throws IOException {
    if (answer.status() != 200) {
      String body = answer.body().strip();
      throw new IOException("Consul refused to " + what + ": " + answer.status()
          + (body.isEmpty() ? "" : " " + (body.length() > 200 ? body.substring(0, 200) : body))
          + (answer.status() == 403 ? " (the ACL token lacks service:write)" : ""));
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "ConsulRegistration{" + id + " at " + address + (closed ? ", closed" : "") + '}';
  }

  /** Builds and performs a registration. Not thread-safe. */
  public static final class Builder {
    private String address = "http://127.0.0.1:8500";
    private @Nullable String token;
    private @Nullable String id;
    private @Nullable String name;
    private @Nullable String serviceAddress;
    private int port;
    private final Set<String> tags = new LinkedHashSet<>();
    private final Map<String, String> meta = new LinkedHashMap<>();
    private int passingWeight = 1;
    private int warningWeight = 1;
    private @Nullable String httpCheckUrl;
    private @Nullable Duration ttl;
    private Duration interval = Duration.ofSeconds(10);
    private Duration timeout = Duration.ofSeconds(2);
    private @Nullable Duration deregisterCriticalAfter = Duration.ofMinutes(1);
    private @Nullable SSLContext tls;

    private Builder() {}

    public Builder address(String address) {
      this.address = requireNonNull(address, "address");
      return this;
    }

    public Builder token(@Nullable String token) {
      this.token = token == null || token.isBlank() ? null : token;
      return this;
    }

    /** The instance id; unique on the agent. Defaults to {@code name-address-port}. */
    public Builder id(String id) {
      this.id = requireNonNull(id, "id");
      return this;
    }

    public Builder name(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    /** The address clients should call; empty means the agent's node address. */
    public Builder serviceAddress(String serviceAddress) {
      this.serviceAddress = requireNonNull(serviceAddress, "serviceAddress");
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder tag(String tag) {
      tags.add(requireNonNull(tag, "tag"));
      return this;
    }

    public Builder meta(String key, String value) {
      meta.put(requireNonNull(key, "meta key"), requireNonNull(value, "meta value"));
      return this;
    }

    /** Consul {@code Weights}: traffic share when passing, and when in warning. */
    public Builder weights(int passing, int warning) {
      this.passingWeight = passing;
      this.warningWeight = warning;
      return this;
    }

    /** An HTTP check: Consul GETs {@code url} every {@code interval}; 2xx passes. */
    public Builder httpCheck(String url, Duration interval) {
      this.httpCheckUrl = requireNonNull(url, "url");
      this.interval = requireNonNull(interval, "interval");
      this.ttl = null;
      return this;
    }

    /** A TTL check: the instance must call {@link ConsulRegistration#pass()} within {@code ttl}. */
    public Builder ttlCheck(Duration ttl) {
      this.ttl = requireNonNull(ttl, "ttl");
      this.httpCheckUrl = null;
      return this;
    }

    /** Consul removes the instance after its check has been critical this long; null never. */
    public Builder deregisterCriticalAfter(@Nullable Duration after) {
      this.deregisterCriticalAfter = after;
      return this;
    }

    public Builder tls(SSLContext tls) {
      this.tls = requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Registers the instance with the agent.
     *
     * @throws IllegalArgumentException naming a missing or invalid setting
     * @throws IOException if Consul cannot be reached or refuses
     */
    public ConsulRegistration register() throws IOException {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name: '" + name + "' (expected: the service name)");
      }
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
      }
      if (passingWeight < 1 || warningWeight < 1) {
        throw new IllegalArgumentException(
            "weights: " + passingWeight + "/" + warningWeight + " (expected: >= 1)");
      }
      if (httpCheckUrl == null && ttl == null) {
        throw new IllegalArgumentException("check: none (expected: httpCheck(...) or ttlCheck(...))");
      }
      String instanceId = id != null ? id
          : name + "-" + (serviceAddress == null ? "agent" : serviceAddress) + "-" + port;
      String consul = ConsulDiscovery.checkAddress(address);
      ConsulTransport transport = new EcwidTransport(consul, token, Duration.ofSeconds(5),
          Duration.ofSeconds(30), 2, tls);
      ConsulAnswer answer;
      try {
        answer = transport.put("/v1/agent/service/register", json(instanceId));
        check(answer, "register '" + instanceId + "'");
      } catch (IOException | RuntimeException e) {
        transport.close();
        throw e;
      }
      return new ConsulRegistration(transport, instanceId, consul, ttl);
    }

    private String json(String instanceId) {
      ObjectNode body = JSON.createObjectNode();
      body.put("ID", instanceId);
      body.put("Name", name);
      if (serviceAddress != null) {
        body.put("Address", serviceAddress);
      }
      body.put("Port", port);
      ArrayNode tagArray = body.putArray("Tags");
      tags.forEach(tagArray::add);
      ObjectNode metaObject = body.putObject("Meta");
      meta.forEach(metaObject::put);
      ObjectNode weights = body.putObject("Weights");
      weights.put("Passing", passingWeight);
      weights.put("Warning", warningWeight);
      ObjectNode check = body.putObject("Check");
      if (httpCheckUrl != null) {
        check.put("HTTP", httpCheckUrl);
        check.put("Interval", interval.toMillis() + "ms");
        check.put("Timeout", timeout.toMillis() + "ms");
      } else {
        check.put("TTL", ttl.toMillis() + "ms");
      }
      if (deregisterCriticalAfter != null) {
        check.put("DeregisterCriticalServiceAfter", deregisterCriticalAfter.toMillis() + "ms");
      }
      return body.toString();
    }
  }
}
