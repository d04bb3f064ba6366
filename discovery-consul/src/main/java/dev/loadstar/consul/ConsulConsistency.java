package dev.loadstar.consul;

/** Consul's read consistency modes (api-docs/features/consistency). */
public enum ConsulConsistency {
  /** Leader reads without the extra round of {@code consistent}; Consul's default. */
  DEFAULT,
  /** Any server answers, possibly a little stale: scales reads, survives a leaderless cluster. */
  STALE,
  /** The leader confirms it still leads before answering: slowest, never stale. */
  CONSISTENT
}
