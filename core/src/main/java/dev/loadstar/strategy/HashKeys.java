package dev.loadstar.strategy;

import dev.loadstar.internal.XxHash64;
import dev.loadstar.registry.NodeStats;
import java.nio.charset.StandardCharsets;

/** Stable placement hashes of nodes for the hash strategies: xxHash64 of the node id's UTF-8. */
final class HashKeys {
  private HashKeys() {}

  static byte[] idBytes(NodeStats node) {
    return node.node().id().getBytes(StandardCharsets.UTF_8);
  }

  static long hash(byte[] bytes, long seed) {
    return XxHash64.hash(bytes, 0, bytes.length, seed);
  }
}
