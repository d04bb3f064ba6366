package dev.loadstar.registry;

/**
 * Hears about membership changes of the services in a {@link dev.loadstar.NodeRegistry}.
 *
 * <p>Called once per real change, in the order changes were applied, on the thread that made the
 * update, outside any registry lock. Should return quickly and must not block.
 */
@FunctionalInterface
public interface MembershipListener {
  void onChange(MembershipChange change);
}
