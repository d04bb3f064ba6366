/**
 * JMH benchmarks of the pick path (pickers alone, and pick plus lease release through the
 * {@link dev.loadstar.LoadBalancer}) and of membership updates, with hand-written floors to read
 * the pickers' numbers against. Run them with {@code benchmarks/run.sh}.
 */
@NullMarked
package dev.loadstar.benchmarks;

import org.jspecify.annotations.NullMarked;
