package dev.loadstar.strategy;

import dev.loadstar.PickContext;
import dev.loadstar.registry.NodeStats;
import org.jspecify.annotations.Nullable;

/** The picker of a service with no eligible node. */
enum EmptyPicker implements Picker {
  INSTANCE;

  @Override
  public @Nullable NodeStats pick(PickContext ctx) {
    return null;
  }
}
