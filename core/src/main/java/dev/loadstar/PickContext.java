package dev.loadstar;

import static java.util.Objects.requireNonNull;

import dev.loadstar.internal.XxHash64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a single pick may take into account beyond the service name: a hash key for sticky
 * strategies, the nodes this call has already tried (a retry skips them), and tags a node must
 * carry (subset routing).
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
  private static final PickContext NONE = new PickContext(false, 0L, Set.of(), Set.of());

  private final boolean hasHashKey;
  private final long hash;
  private final Set<String> triedIds;
  private final Set<String> requiredTags;

  private PickContext(boolean hasHashKey, long hash, Set<String> triedIds, Set<String> requiredTags) {
    this.hasHashKey = hasHashKey;
    this.hash = hash;
    this.triedIds = triedIds;
    this.requiredTags = requiredTags;
  }

  /**
   * A context that only accepts nodes carrying every one of {@code tags} (subset routing, such as
   * {@code version=v2}). If no node matches, the pick fails naming the tags.
   */
  public static PickContext requireTags(String... tags) {
    return NONE.withRequiredTags(Set.of(tags));
  }

  /** This context, only accepting nodes that carry every one of {@code tags}. */
  public PickContext withRequiredTags(Set<String> tags) {
    requireNonNull(tags, "tags");
    for (String tag : tags) {
      if (tag == null || tag.isBlank()) {
        throw new IllegalArgumentException("tag: '" + tag + "' (expected: not blank)");
      }
    }
    return new PickContext(hasHashKey, hash, triedIds, Set.copyOf(tags));
  }

  /** Whether only nodes with certain tags are acceptable. */
  public boolean hasRequiredTags() {
    return !requiredTags.isEmpty();
  }

  /** The tags a node must carry to be picked; empty for any node. */
  public Set<String> requiredTags() {
    return requiredTags;
  }

  /** No key, nothing tried: strategies do their plain pick. */
  public static PickContext none() {
    return NONE;
  }

  /** A context whose hash key is the UTF-8 bytes of {@code key}. */
  public static PickContext hashKey(String key) {
    requireNonNull(key, "key");
    return new PickContext(true, XxHash64.hashUtf8(key, 0L), Set.of(), Set.of());
  }

  /** A context whose hash key is the bytes {@code key}. */
  public static PickContext hashKey(byte[] key) {
    requireNonNull(key, "key");
    return new PickContext(true, XxHash64.hash(key, 0, key.length, 0L), Set.of(), Set.of());
  }

  /** This context with {@code node} added to the nodes already tried. */
  public PickContext withTried(Node node) {
    requireNonNull(node, "node");
    if (triedIds.contains(node.id())) {
      return this;
    }
    Set<String> tried = new LinkedHashSet<>(triedIds);
    tried.add(node.id());
    return new PickContext(hasHashKey, hash, Collections.unmodifiableSet(tried), requiredTags);
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
    return hasHashKey == that.hasHashKey && hash == that.hash && triedIds.equals(that.triedIds)
        && requiredTags.equals(that.requiredTags);
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
    if (!requiredTags.isEmpty()) {
      s.append(hasHashKey || !triedIds.isEmpty() ? ", " : "").append("tags=").append(requiredTags);
    }
    return s.append('}').toString();
  }
}
