/**
 * Discovery sources that need nothing but core: a fixed list
 * ({@link dev.loadstar.discovery.StaticDiscovery}) and a watched JSON file
 * ({@link dev.loadstar.discovery.JsonFileDiscovery}). Both push complete node lists into a
 * {@link dev.loadstar.NodeRegistry}.
 *
 * <p>Everything here is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.loadstar.discovery;

import org.jspecify.annotations.NullMarked;
