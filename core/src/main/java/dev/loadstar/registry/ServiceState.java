package dev.loadstar.registry;

import dev.loadstar.Lease;
import dev.loadstar.NoAvailableNodeException;
import dev.loadstar.Node;
import dev.loadstar.PickContext;
import dev.loadstar.ServiceConfig;
import dev.loadstar.strategy.Strategy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service: its membership, its nodes' health, and the picker published from them.
 *
 * <p>Writers (membership updates, breaker transitions, the health tick, reconfiguration) hold
 * {@code lock}; picks read {@link #published} once and never lock. Each node's {@link NodeStats}
 * is created when its id first appears and kept while the id stays. A removed node still serving
 * requests is parked in {@code draining}, so a node that flaps out and back in (a missed health
 * check) comes back with its counters.
 */
final class ServiceState {
  private static final Logger log = LoggerFactory.getLogger(ServiceState.class);

  private final String name;
  private final Environment env;
  private final Object lock = new Object();
  /** Requests in flight on all nodes of this service, for bounded-load pickers. */
  private final LongAdder inFlight = new LongAdder();

  /** Guarded by {@code lock}. */
  private ServiceConfig config;
  /** Guarded by {@code lock}. */
  private Strategy strategy;
  /** Guarded by {@code lock}: the user's breaker settings on the balancer's clock. */
  private @Nullable CircuitBreakerConfig breakerConfig;
  /** Guarded by {@code lock}. The members in membership order. */
  private NodeStats[] order = new NodeStats[0];
  /** Guarded by {@code lock}. The members by node id. */
  private final Map<String, NodeStats> members = new HashMap<>();
  /** Guarded by {@code lock}. Removed nodes with requests still in flight. */
  private final Map<String, NodeStats> draining = new HashMap<>();
  /** Guarded by {@code lock}. Numbers updates, to mark the members an update names. */
  private int generation;

  private volatile Published published;

  ServiceState(String name, ServiceConfig config, Strategy strategy, Environment env) {
    this.name = name;
    this.env = env;
    this.config = config;
    this.strategy = strategy;
    this.breakerConfig = breakerConfig(config);
    this.published = new Published(List.of(), new NodeStats[0], new boolean[0], strategy, config,
        env, false);
  }

  String name() {
    return name;
  }

  Strategy strategy() {
    synchronized (lock) {
      return strategy;
    }
  }

  List<Node> nodes() {
    return published.nodes;
  }

  /** Live stats of the current members, in membership order. */
  List<NodeStats> stats() {
    synchronized (lock) {
      return List.of(order);
    }
  }

  ServiceSnapshot snapshot() {
    Published p = published;
    List<NodeSnapshot> nodes = new ArrayList<>(p.all.length);
    int eligibleCount = 0;
    for (int i = 0; i < p.all.length; i++) {
      NodeStats s = p.all[i];
      Node node = s.node();
      eligibleCount += p.eligible[i] ? 1 : 0;
      nodes.add(new NodeSnapshot(node.id(), node.address(), node.zone(), node.weight(), s.weight(),
          p.eligible[i], !p.eligible[i], s.breakerState(), s.inFlight(),
          s.peakEwmaNanos() / 1e6));
    }
    return new ServiceSnapshot(name, p.strategy.name(), p.main.panic(), eligibleCount, nodes);
  }

  // ---------------------------------------------------------------- picking (lock-free)

  Lease pick(PickContext ctx) throws NoAvailableNodeException {
    Published p = published;
    Choice choice = ctx.hasRequiredTags() ? p.subset(ctx.requiredTags()) : p.main;
    NodeStats node = choice.picker().pick(ctx);
    if (node == null) {
      throw noAvailableNode(p, choice, ctx);
    }
    CircuitBreaker breaker = node.breaker;
    if (breaker == null) {
      return new NodeLease(node, choice.reserves(), null);
    }
    State before = breaker.getState();
    boolean permitted = tryAcquire(breaker);
    if (breaker.getState() != before) {
      breakerMoved(node); // resilience4j's lazy OPEN -> HALF_OPEN, on a pick in panic
    }
    return permitted ? new NodeLease(node, choice.reserves(), breaker) : refused(choice, ctx, node);
  }

  /**
   * resilience4j moves OPEN to HALF_OPEN lazily inside {@code tryAcquirePermission}, from the state
   * object it read first; when the health tick moved the same breaker on in between, the lazy move
   * fails with {@link IllegalStateTransitionException}. The breaker is then in a newer state: ask
   * again once, and count a second race as a refusal.
   */
  private static boolean tryAcquire(CircuitBreaker breaker) {
    try {
      return breaker.tryAcquirePermission();
    } catch (IllegalStateTransitionException raced) {
      try {
        return breaker.tryAcquirePermission();
      } catch (IllegalStateTransitionException again) {
        return false;
      }
    }
  }

  /**
   * The picked node's breaker refused a permission: it is half-open with its trial calls taken,
   * or it opened after this picker was built. Outside panic, try up to two other nodes; if none
   * will do, go to the picked node without a permission (its outcome then does not count).
   */
  private Lease refused(Choice choice, PickContext ctx, NodeStats first) {
    if (!choice.panic()) {
      PickContext retry = ctx.withTried(first.node());
      for (int attempt = 0; attempt < 2; attempt++) {
        NodeStats other = choice.picker().pick(retry);
        if (other == null) {
          break;
        }
        CircuitBreaker breaker = other.breaker;
        if (breaker == null || tryAcquire(breaker)) {
          if (choice.reserves()) {
            first.release();
          }
          return new NodeLease(other, choice.reserves(), breaker);
        }
        if (choice.reserves()) {
          other.release(); // a reserving picker counted it; it is not taken after all
        }
        retry = retry.withTried(other.node());
      }
    }
    return new NodeLease(first, choice.reserves(), null);
  }

  private NoAvailableNodeException noAvailableNode(Published p, Choice choice, PickContext ctx) {
    StringBuilder m = new StringBuilder("no available node for service '").append(name).append('\'');
    if (ctx.hasRequiredTags()) {
      m.append(" with tags ").append(ctx.requiredTags());
    }
    m.append(" (nodes: ").append(p.all.length);
    if (ctx.hasRequiredTags()) {
      m.append(", matching: ").append(choice.candidates());
    }
    if (p.ejected > 0) {
      m.append(", ejected: ").append(p.ejected);
    }
    if (ctx.hasTried()) {
      m.append(", tried: ").append(ctx.triedIds());
    }
    return new NoAvailableNodeException(name, m.append(')').toString());
  }

  // ---------------------------------------------------------------- membership

  /**
   * Applies a complete membership list.
   *
   * <p>One pass matches each node to its current stats: first by position (discovery sources
   * usually repeat their order, and then no hashing is needed), else by id. Matched stats are
   * stamped with this update's generation, which finds duplicates and, afterwards, the removed
   * members without building a second map. Measured on 10,000 nodes in
   * {@code MembershipUpdateBenchmark}.
   *
   * @return what changed, or null if nothing did
   * @throws IllegalArgumentException on a null element or a duplicate id; nothing is changed
   */
  @Nullable MembershipChange update(List<Node> nodes) {
    synchronized (lock) {
      int n = nodes.size();
      int mark = ++generation;
      NodeStats[] next = new NodeStats[n];
      List<Node> added = new ArrayList<>();
      List<Node> changed = new ArrayList<>();
      Set<String> addedIds = null;
      int kept = 0;
      for (int i = 0; i < n; i++) {
        Node node = nodes.get(i);
        if (node == null) {
          throw new IllegalArgumentException(
              "nodes[" + i + "]: null in update of service '" + name + "'");
        }
        NodeStats stats = i < order.length && order[i].node().id().equals(node.id())
            ? order[i]
            : members.get(node.id());
        boolean duplicate;
        if (stats != null) {
          duplicate = stats.mark == mark;
          stats.mark = mark;
          kept++;
          if (!stats.node().equals(node)) {
            changed.add(node);
          }
          next[i] = stats;
        } else {
          if (addedIds == null) {
            addedIds = new HashSet<>();
          }
          duplicate = !addedIds.add(node.id());
          added.add(node);
        }
        if (duplicate) {
          throw new IllegalArgumentException("duplicate node id '" + node.id()
              + "' in update of service '" + name + "' (ids must be unique within a service)");
        }
      }
      if (added.isEmpty() && changed.isEmpty() && kept == order.length) {
        return null;
      }
      // Validation is over; from here on nothing throws and the state changes.
      pruneDrained();
      List<Node> removed = new ArrayList<>();
      if (kept < order.length) {
        for (NodeStats gone : order) {
          if (gone.mark != mark) {
            removed.add(gone.node());
            members.remove(gone.node().id());
            removeBreaker(gone);
            if (gone.inFlight() > 0) {
              draining.put(gone.node().id(), gone);
            }
          }
        }
      }
      long now = env.nanoTime().getAsLong();
      for (int i = 0; i < n; i++) {
        if (next[i] == null) {
          Node node = nodes.get(i);
          NodeStats joined = revive(node);
          joined.rampStartNanos = now;
          attachBreaker(joined);
          next[i] = joined;
          members.put(node.id(), joined);
        }
      }
      for (Node node : changed) {
        members.get(node.id()).node(node);
      }
      order = next;
      List<Node> current = List.copyOf(nodes);
      publish(current);
      return new MembershipChange(name, current, added, removed, changed);
    }
  }

  private NodeStats revive(Node node) {
    NodeStats parked = draining.remove(node.id());
    if (parked != null) {
      parked.node(node);
      return parked;
    }
    return new NodeStats(node, env.nanoTime(), config.ewmaDecay().toNanos(), inFlight);
  }

  private void pruneDrained() {
    for (Iterator<NodeStats> it = draining.values().iterator(); it.hasNext(); ) {
      if (it.next().inFlight() == 0) {
        it.remove();
      }
    }
  }

  // ---------------------------------------------------------------- configuration

  void configure(ServiceConfig next, Strategy nextStrategy) {
    synchronized (lock) {
      if (next.equals(config) && nextStrategy.equals(strategy)) {
        return;
      }
      boolean breakersChange = next.circuitBreaker().orElse(null) != config.circuitBreaker().orElse(null);
      config = next;
      strategy = nextStrategy;
      for (NodeStats s : order) {
        s.decayNanos(next.ewmaDecay().toNanos());
      }
      if (breakersChange) {
        breakerConfig = breakerConfig(next);
        for (NodeStats s : order) {
          removeBreaker(s);
          attachBreaker(s);
        }
      }
      publish(published.nodes);
    }
  }

  // ---------------------------------------------------------------- health

  private @Nullable CircuitBreakerConfig breakerConfig(ServiceConfig c) {
    return c.circuitBreaker()
        .map(user -> CircuitBreakerConfig.from(user).clock(env.clock()).build())
        .orElse(null);
  }

  private String breakerName(NodeStats s) {
    return name + "/" + s.node().id();
  }

  /** Gives {@code s} a fresh breaker (guarded by {@code lock}). */
  private void attachBreaker(NodeStats s) {
    if (breakerConfig == null) {
      s.breaker = null;
      return;
    }
    String breakerName = breakerName(s);
    env.breakers().remove(breakerName);
    CircuitBreaker breaker = env.breakers().circuitBreaker(breakerName, breakerConfig);
    s.knownState = breaker.getState();
    s.owner = this;
    s.breaker = breaker;
  }

  private void removeBreaker(NodeStats s) {
    if (s.breaker != null) {
      env.breakers().remove(breakerName(s));
    }
  }

  /**
   * A breaker may have changed state: called by whoever saw its state move (a lease's outcome, a
   * pick's permission, the health tick). Republishes so the node leaves or rejoins the picker at
   * once. Idempotent: the state last handled is kept per node, so two threads that saw the same
   * move handle it once.
   *
   * <p>Not a resilience4j event consumer on purpose: with any consumer registered, resilience4j
   * builds an event object (with a {@code ZonedDateTime}) for every success and error, about 1 KB
   * per call measured in {@code InterceptorOverheadBenchmark}.
   */
  void breakerMoved(NodeStats s) {
    synchronized (lock) {
      CircuitBreaker breaker = s.breaker;
      if (breaker == null || members.get(s.node().id()) != s) {
        return;
      }
      State to = breaker.getState();
      State from = s.knownState;
      if (to == from) {
        return;
      }
      s.knownState = to;
      long now = env.nanoTime().getAsLong();
      if (to == State.OPEN || to == State.FORCED_OPEN) {
        s.openedAtNanos = now;
        Node ejected = s.node();
        env.emit(l -> l.onEjected(name, ejected));
        log.warn("service '{}': ejecting node {} (breaker {} -> {}, failure rate {}%)", name,
            s.node().address(), from, to, breaker.getMetrics().getFailureRate());
      } else if (to == State.HALF_OPEN) {
        log.info("service '{}': trying ejected node {} again", name, s.node().address());
      } else if (to == State.CLOSED && from == State.HALF_OPEN) {
        s.rampStartNanos = now;
        Node returned = s.node();
        env.emit(l -> l.onReturned(name, returned));
        log.info("service '{}': node {} recovered and is back in rotation", name,
            s.node().address());
      }
      publish(published.nodes);
    }
    env.events().drain();
  }

  /**
   * Time-driven work: ejected nodes whose wait is over go half-open (resilience4j would only do
   * this lazily, on a call that an ejected node never gets), and ramping weights are refreshed.
   */
  void tick() {
    List<NodeStats> due = new ArrayList<>();
    synchronized (lock) {
      long now = env.nanoTime().getAsLong();
      for (NodeStats s : order) {
        CircuitBreaker b = s.breaker;
        if (b != null && b.getState() == State.OPEN) {
          long waitNanos = b.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1)
              * 1_000_000L;
          if (now - s.openedAtNanos >= waitNanos) {
            due.add(s);
          }
        }
      }
      if (published.ramping && rampMoved(now)) {
        publish(published.nodes);
      }
    }
    for (NodeStats s : due) {
      CircuitBreaker b = s.breaker;
      if (b != null && b.getState() == State.OPEN) {
        try {
          b.transitionToHalfOpenState();
        } catch (RuntimeException raced) {
          // Moved on by a concurrent call (resilience4j's own lazy check); handled below.
        }
      }
      breakerMoved(s);
    }
  }

  /**
   * Whether slow-start weights moved enough since the picker was built to rebuild it: by 5% of a
   * node's share or more, or a node finished ramping. Nodes that joined together ramp in step and
   * keep their ratios, so their pickers (and round-robin cursors) are left alone.
   */
  private boolean rampMoved(long now) {
    double oldTotal = 0;
    double newTotal = 0;
    for (NodeStats s : order) {
      oldTotal += s.weight();
      newTotal += s.node().weight() * rampFactor(s, now);
    }
    for (NodeStats s : order) {
      if (s.rampStartNanos != NodeStats.NOT_RAMPING && rampFactor(s, now) >= 1.0) {
        return true;
      }
      double before = s.weight() / oldTotal;
      double after = s.node().weight() * rampFactor(s, now) / newTotal;
      if (Math.abs(after - before) > 0.05 * before) {
        return true;
      }
    }
    return false;
  }

  /** A node's slow-start weight factor now: from the minimum share up to 1 over the window. */
  private double rampFactor(NodeStats s, long now) {
    long window = config.slowStartWindow().toNanos();
    if (s.rampStartNanos == NodeStats.NOT_RAMPING || window <= 0) {
      return 1.0;
    }
    long elapsed = now - s.rampStartNanos;
    return elapsed >= window ? 1.0 : Math.max(config.slowStartMinShare(), (double) elapsed / window);
  }

  // ---------------------------------------------------------------- publishing

  /** Rebuilds eligibility, weights and pickers from the members (guarded by {@code lock}). */
  private void publish(List<Node> current) {
    long now = env.nanoTime().getAsLong();
    int n = order.length;
    boolean[] eligible = new boolean[n];
    int maxEjected = (int) Math.floor(config.maxEjectionShare() * n);
    int ejected = 0;
    boolean ramping = false;
    boolean rampMatters = strategy.usesEffectiveWeights();
    for (int i = 0; i < n; i++) {
      NodeStats s = order[i];
      CircuitBreaker b = s.breaker;
      boolean open = b != null && (b.getState() == State.OPEN || b.getState() == State.FORCED_OPEN);
      eligible[i] = !open || ejected >= maxEjected;
      if (!eligible[i]) {
        ejected++;
      }
      double factor = rampFactor(s, now);
      if (factor >= 1.0) {
        s.rampStartNanos = NodeStats.NOT_RAMPING;
      } else {
        ramping |= rampMatters;
      }
      s.weight(s.node().weight() * factor);
    }
    Published before = published;
    Published next = new Published(current, order.clone(), eligible, strategy, config, env, ramping);
    if (next.main.panic() != before.main.panic()) {
      boolean panic = next.main.panic();
      env.emit(l -> l.onPanic(name, panic));
      if (next.main.panic()) {
        log.warn("service '{}': panic, only {} of {} nodes eligible (threshold {}%);"
            + " picking among all nodes", name, n - ejected, n, config.panicThreshold() * 100);
      } else {
        log.info("service '{}': panic over, {} of {} nodes eligible", name, n - ejected, n);
      }
    }
    published = next;
  }

  /** One picker over one candidate set, and how it came about. */
  record Choice(dev.loadstar.strategy.Picker picker, boolean reserves, boolean panic, int candidates) {}

  /** What picks read: immutable after construction, except the lazily filled tag subsets. */
  static final class Published {
    final List<Node> nodes;
    final NodeStats[] all;
    final boolean[] eligible;
    final int ejected;
    final boolean ramping;
    final Choice main;
    private final Strategy strategy;
    private final ServiceConfig config;
    private final Environment env;
    private final java.util.concurrent.ConcurrentHashMap<Set<String>, Choice> subsets =
        new java.util.concurrent.ConcurrentHashMap<>();

    Published(List<Node> nodes, NodeStats[] all, boolean[] eligible, Strategy strategy,
        ServiceConfig config, Environment env, boolean ramping) {
      this.nodes = nodes;
      this.all = all;
      this.eligible = eligible;
      this.strategy = strategy;
      this.config = config;
      this.env = env;
      this.ramping = ramping;
      int e = 0;
      for (boolean ok : eligible) {
        e += ok ? 0 : 1;
      }
      this.ejected = e;
      this.main = choose(all, eligible);
    }

    /** The choice among nodes carrying every tag in {@code tags}; built on first use. */
    Choice subset(Set<String> tags) {
      Choice c = subsets.get(tags);
      return c != null ? c : subsets.computeIfAbsent(tags, t -> {
        List<NodeStats> matching = new ArrayList<>();
        List<Boolean> ok = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
          if (all[i].node().tags().containsAll(t)) {
            matching.add(all[i]);
            ok.add(eligible[i]);
          }
        }
        boolean[] flags = new boolean[ok.size()];
        for (int i = 0; i < flags.length; i++) {
          flags[i] = ok.get(i);
        }
        return choose(matching.toArray(new NodeStats[0]), flags);
      });
    }

    /**
     * The panic rule, then zone preference: among the eligible candidates unless too few are
     * eligible (then all of them), and within the caller's zone while enough of its nodes there
     * are eligible.
     */
    private Choice choose(NodeStats[] candidates, boolean[] eligibleFlags) {
      int n = candidates.length;
      List<NodeStats> pool = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (eligibleFlags[i]) {
          pool.add(candidates[i]);
        }
      }
      boolean panic = n > 0 && pool.size() < config.panicThreshold() * n;
      if (panic) {
        pool = new ArrayList<>(Arrays.asList(candidates));
      } else if (env.zone() != null) {
        int inZone = 0;
        List<NodeStats> local = new ArrayList<>();
        for (NodeStats s : candidates) {
          if (env.zone().equals(s.node().zone())) {
            inZone++;
          }
        }
        for (NodeStats s : pool) {
          if (env.zone().equals(s.node().zone())) {
            local.add(s);
          }
        }
        if (!local.isEmpty() && local.size() >= env.zoneMinShare() * inZone) {
          pool = local;
        }
      }
      dev.loadstar.strategy.Picker picker = strategy.newPicker(pool, env.random());
      return new Choice(picker, picker.reservesInFlight(), panic, n);
    }
  }
}
