/**
 * Loadstar's public face: the types an application names to balance calls across a service's
 * nodes ({@link dev.loadstar.LoadBalancer}, {@link dev.loadstar.Lease}, {@link dev.loadstar.Node},
 * {@link dev.loadstar.PickContext}, {@link dev.loadstar.Strategies}, {@link dev.loadstar.NodeRegistry}).
 *
 * <p>Everything here is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.loadstar;

import org.jspecify.annotations.NullMarked;
