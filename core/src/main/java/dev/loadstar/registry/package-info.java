/**
 * The node registry: per-service membership, the live per-node state that survives updates
 * ({@link dev.loadstar.registry.NodeStats}), and the atomic publication of pickers.
 */
@NullMarked
package dev.loadstar.registry;

import org.jspecify.annotations.NullMarked;
