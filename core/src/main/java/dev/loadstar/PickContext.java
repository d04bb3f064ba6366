package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.internal.XxHash64;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a single pick may take into account beyond the service name: a hash key for sticky
 * strategies and the nodes this call has already tried (a retry skips them).
 *
 * <p>The key is hashed once, here, with xxHash64 (seed 0) over its bytes (UTF-8 for strings), so
 * every client JVM maps a key to the same node and retries do not hash again.
 *
 * <p>Immutable and thread-safe.
 */
public final class PickContext {
  private static final PickContext NONE = new PickContext(null, 0L, Set.of());

  private final byte @Nullable [] hashKey;
  private final long hash;
  private final Set<String> triedIds;

  private PickContext(byte @Nullable [] hashKey, long hash, Set<String> triedIds) {
    this.hashKey = hashKey;
    this.hash = hash;
    this.triedIds = triedIds;
  }

  /** No key, nothing tried: strategies do their plain pick. */
  public static PickContext none() {
    return NONE;
  }

  /** A context whose hash key is the UTF-8 bytes of {@code key}. */
  public static PickContext hashKey(String key) {
    requireNonNull(key, "key");
    return hashKey(key.getBytes(StandardCharsets.UTF_8), false);
  }

  /** A context whose hash key is {@code key} (copied). */
  public static PickContext hashKey(byte[] key) {
    requireNonNull(key, "key");
    return hashKey(key, true);
  }

  private static PickContext hashKey(byte[] key, boolean copy) {
    byte[] bytes = copy ? key.clone() : key;
    return new PickContext(bytes, XxHash64.hash(bytes, 0, bytes.length, 0L), Set.of());
  }

  /** This context with {@code node} added to the nodes already tried. */
  public PickContext withTried(Node node) {
    requireNonNull(node, "node");
    if (triedIds.contains(node.id())) {
      return this;
    }
    Set<String> tried = new LinkedHashSet<>(triedIds);
    tried.add(node.id());
    return new PickContext(hashKey, hash, Collections.unmodifiableSet(tried));
  }

  /** Whether a hash key was given. */
  public boolean hasHashKey() {
    return hashKey != null;
  }

  /** The stable 64-bit hash of the key; 0 when there is no key. */
  public long hash() {
    return hash;
  }

  /** A copy of the key's bytes, or null when there is no key. */
  public byte @Nullable [] hashKeyBytes() {
    return hashKey == null ? null : hashKey.clone();
  }

  /** Whether any node was tried already; lets pickers skip the set lookup on first attempts. */
  public boolean hasTried() {
    return !triedIds.isEmpty();
  }

  /** Whether {@code node} was tried already in this call. */
  public boolean isTried(Node node) {
    return !triedIds.isEmpty() && triedIds.contains(node.id());
  }

  /** Ids of the nodes tried so far, in the order they were tried. */
  public Set<String> triedIds() {
    return triedIds;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PickContext)) {
      return false;
    }
    PickContext that = (PickContext) o;
    return Arrays.equals(hashKey, that.hashKey) && triedIds.equals(that.triedIds);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hash) * 31 + triedIds.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("PickContext{");
    if (hashKey != null) {
      s.append("hash=").append(Long.toHexString(hash));
    }
    if (!triedIds.isEmpty()) {
      s.append(hashKey != null ? ", " : "").append("tried=").append(triedIds);
    }
    return s.append('}').toString();
  }
}
