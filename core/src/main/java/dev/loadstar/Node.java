package dev.loadstar;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One instance of a service: where to reach it and how much traffic it should take.
 *
 * <p>Nodes are values: two nodes with the same fields are equal. The registry tells nodes apart
 * by {@link #id()}, which defaults to {@code host:port}; a node whose id stays across updates keeps
 * its live state (in-flight count, latency estimate) even if its other fields change.
 *
 * <p>Immutable and thread-safe.
 */
public final class Node {
  /** The weight of a node that does not say otherwise. */
  public static final int DEFAULT_WEIGHT = 1;

  private final String id;
  private final String host;
  private final int port;
  private final int weight;
  private final @Nullable String zone;
  private final Set<String> tags;
  private final Map<String, String> metadata;

  private Node(Builder b) {
    this.host = checkHost(b.host);
    this.port = checkPort(b.port);
    this.weight = checkWeight(b.weight);
    this.id = b.id != null ? checkNotBlank("id", b.id) : address(host, port);
    this.zone = b.zone == null ? null : checkNotBlank("zone", b.zone);
    this.tags = Collections.unmodifiableSet(new TreeSet<>(b.tags));
    this.metadata = Collections.unmodifiableMap(new TreeMap<>(b.metadata));
  }

  /** A node at {@code host:port} with weight 1, no zone, tags or metadata. */
  public static Node of(String host, int port) {
    return builder().host(host).port(port).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this node's fields. */
  public Builder toBuilder() {
    Builder b = new Builder().host(host).port(port).weight(weight).tags(tags).metadata(metadata);
    b.id = id;
    b.zone = zone;
    return b;
  }

  /** Stable identity within a service; {@code host:port} unless set. */
  public String id() {
    return id;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** {@code host:port}, with IPv6 literals in brackets. */
  public String address() {
    return address(host, port);
  }

  /** Relative share of traffic for strategies that honour weights; at least 1. */
  public int weight() {
    return weight;
  }

  /** The locality (availability zone, rack) this node runs in, or null if unknown. */
  public @Nullable String zone() {
    return zone;
  }

  /** Labels used for subset routing, such as {@code version=v2}; sorted, immutable. */
  public Set<String> tags() {
    return tags;
  }

  /** Free-form key/value pairs from discovery; sorted by key, immutable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Node)) {
      return false;
    }
    Node that = (Node) o;
    return port == that.port
        && weight == that.weight
        && id.equals(that.id)
        && host.equals(that.host)
        && java.util.Objects.equals(zone, that.zone)
        && tags.equals(that.tags)
        && metadata.equals(that.metadata);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + weight;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Node{").append(id);
    if (!id.equals(address())) {
      s.append(" @ ").append(address());
    }
    if (weight != DEFAULT_WEIGHT) {
      s.append(", weight=").append(weight);
    }
    if (zone != null) {
      s.append(", zone=").append(zone);
    }
    if (!tags.isEmpty()) {
      s.append(", tags=").append(tags);
    }
    if (!metadata.isEmpty()) {
      s.append(", metadata=").append(metadata);
    }
    return s.append('}').toString();
  }

  static String address(String host, int port) {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  private static String checkHost(@Nullable String host) {
    if (host == null) {
      throw new IllegalArgumentException("host: null (expected: a host name or IP address)");
    }
    if (host.isBlank() || !host.strip().equals(host) || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "host: '" + host + "' (expected: a host name or IP address without spaces)");
    }
    if (host.startsWith("[") || host.endsWith("]")) {
      throw new IllegalArgumentException(
          "host: '" + host + "' (expected: an IPv6 literal without brackets)");
    }
    return host;
  }

  private static int checkPort(int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    return port;
  }

  private static int checkWeight(int weight) {
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
    }
    return weight;
  }

  private static String checkNotBlank(String field, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + ": '" + value + "' (expected: not blank)");
    }
    return value;
  }

  /** Builds a {@link Node}; {@link #build()} validates every field. Not thread-safe. */
  public static final class Builder {
    private @Nullable String id;
    private @Nullable String host;
    private int port;
    private int weight = DEFAULT_WEIGHT;
    private @Nullable String zone;
    private final Set<String> tags = new TreeSet<>();
    private final Map<String, String> metadata = new TreeMap<>();

    private Builder() {}

    /** Overrides the default id ({@code host:port}), e.g. with a discovery system's instance id. */
    public Builder id(String id) {
      this.id = requireNonNull(id, "id");
      return this;
    }

    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /** The node's zone; null clears it. */
    public Builder zone(@Nullable String zone) {
      this.zone = zone;
      return this;
    }

    public Builder tag(String tag) {
      requireNonNull(tag, "tag");
      if (tag.isBlank()) {
        throw new IllegalArgumentException("tag: '" + tag + "' (expected: not blank)");
      }
      tags.add(tag);
      return this;
    }

    /** Replaces the tags. */
    public Builder tags(Collection<String> tags) {
      requireNonNull(tags, "tags");
      this.tags.clear();
      tags.forEach(this::tag);
      return this;
    }

    public Builder metadata(String key, String value) {
      requireNonNull(key, "metadata key");
      requireNonNull(value, () -> "metadata value for '" + key + "'");
      if (key.isBlank()) {
        throw new IllegalArgumentException("metadata key: '" + key + "' (expected: not blank)");
      }
      metadata.put(key, value);
      return this;
    }

    /** Replaces the metadata. */
    public Builder metadata(Map<String, String> metadata) {
      requireNonNull(metadata, "metadata");
      this.metadata.clear();
      metadata.forEach(this::metadata);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the field and value that is wrong
     */
    public Node build() {
      return new Node(this);
    }
  }
}
