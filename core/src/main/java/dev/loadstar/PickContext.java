package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.internal.XxHash64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a single pick may take into account beyond the service name: a hash key for sticky
 * strategies and the nodes this call has already tried (a retry skips them).
 *
 * <p>The key is hashed once, here, with xxHash64 (seed 0) over its bytes (UTF-8 for strings), so
 * every client JVM maps a key to the same node and retries do not hash again. Only the hash is
 * kept. ASCII string keys are hashed without allocating.
 *
 * <p>Hash strategies ({@code ring-hash}, {@code maglev}) given no key pick a random node.
 *
 * <p>Immutable and thread-safe.
 */
public final class PickContext {
  private static final PickContext NONE = new PickContext(false, 0L, Set.of());

  private final boolean hasHashKey;
  private final long hash;
  private final Set<String> triedIds;

  private PickContext(boolean hasHashKey, long hash, Set<String> triedIds) {
    this.hasHashKey = hasHashKey;
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
    return new PickContext(true, XxHash64.hashUtf8(key, 0L), Set.of());
  }

  /** A context whose hash key is the bytes {@code key}. */
  public static PickContext hashKey(byte[] key) {
    requireNonNull(key, "key");
    return new PickContext(true, XxHash64.hash(key, 0, key.length, 0L), Set.of());
  }

  /** This context with {@code node} added to the nodes already tried. */
  public PickContext withTried(Node node) {
    requireNonNull(node, "node");
    if (triedIds.contains(node.id())) {
      return this;
    }
    Set<String> tried = new LinkedHashSet<>(triedIds);
    tried.add(node.id());
    return new PickContext(hasHashKey, hash, Collections.unmodifiableSet(tried));
  }

  /** Whether a hash key was given. */
  public boolean hasHashKey() {
    return hasHashKey;
  }

  /** The stable 64-bit hash of the key; 0 when there is no key. */
  public long hash() {
    return hash;
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
    return hasHashKey == that.hasHashKey && hash == that.hash && triedIds.equals(that.triedIds);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hash) * 31 + triedIds.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("PickContext{");
    if (hasHashKey) {
      s.append("hash=").append(Long.toHexString(hash));
    }
    if (!triedIds.isEmpty()) {
      s.append(hasHashKey ? ", " : "").append("tried=").append(triedIds);
    }
    return s.append('}').toString();
  }
}
