package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.Node;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Lifecycle and configuration: watches start, run side by side, and stop promptly. */
@ExtendWith(TokenNeverLogged.class)
class ConsulDiscoveryTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ConsulStandIn consul = new ConsulStandIn();
  private final RecordingRegistry registry = new RecordingRegistry();

  @AfterEach
  void tearDown() {
    consul.close();
    registry.close();
  }

  private static boolean threadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  @Test
  void closeDuringALongPollReturnsWithinASecondAndStopsTheThread() {
    consul.setService("orders", 10, Fixtures.instances("orders", 2));
    ConsulDiscovery discovery = consul.discovery().wait(Duration.ofSeconds(30)).build();
    discovery.watch("orders", registry);
    Await.until(TIMEOUT, () -> consul.requests("orders") >= 2 && consul.held("orders") == 1,
        "a 30 s blocking query in flight");
    Thread watchThread = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("loadstar-consul-orders")).findFirst().orElseThrow();
    assertThat(watchThread.isDaemon()).isTrue();

    long start = System.nanoTime();
    discovery.close();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(millis).as("ms to close").isLessThan(1_000);
    assertThat(watchThread.isAlive()).isFalse();
    assertThat(threadAlive("loadstar-consul-orders")).isFalse();
    assertThat(discovery.watches()).isEmpty();
    assertThat(registry.hosts("orders")).as("closing is not a membership change").hasSize(2);
    assertThatThrownBy(() -> discovery.watch("orders", registry))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void closingOneWatchLeavesTheOthersRunning() throws IOException {
    consul.setService("orders", 10, Fixtures.instances("orders", 2));
    consul.setService("users", 20, Fixtures.instances("users", 2));
    try (ConsulDiscovery discovery = consul.discovery().wait(Duration.ofSeconds(30)).build()) {
      Closeable orders = discovery.watch("orders", registry);
      discovery.watch("users", registry);
      Await.until(TIMEOUT, () -> consul.held("orders") == 1 && consul.held("users") == 1,
          "both blocking");

      long start = System.nanoTime();
      orders.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
      assertThat(threadAlive("loadstar-consul-orders")).isFalse();
      assertThat(discovery.watches()).hasSize(1);

      consul.setService("users", 21, Fixtures.instances("users", 1));
      Await.until(TIMEOUT, () -> registry.nodes("users").size() == 1, "users still watched");
      consul.setService("orders", 11, Fixtures.instances("orders", 1));
      Await.until(TIMEOUT, () -> consul.held("users") == 1 && consul.requests("users") >= 3,
          "users blocking again");
      assertThat(registry.nodes("orders")).as("no longer watched").hasSize(2);
    }
  }

  @Test
  void threeServicesAreWatchedIndependentlyWithDefaultPoolSizing() {
    List<String> services = List.of("orders", "users", "billing");
    for (String s : services) {
      consul.setService(s, 10, Fixtures.instances(s, 3));
    }
    try (ConsulDiscovery discovery = consul.discovery().build()) { // default maxWatches
      for (String s : services) {
        discovery.watch(s, registry);
      }
      // Apache's default of 2 connections per route would queue the third long poll.
      Await.until(TIMEOUT, () -> services.stream().allMatch(s -> consul.held(s) == 1),
          () -> "three concurrent blocking queries (held: "
              + services.stream().map(consul::held).toList() + ")");

      long index = 11;
      for (String changed : services) {
        int before = registry.changeCount();
        long start = System.nanoTime();
        consul.setService(changed, index++, Fixtures.instances(changed, 1));
        Await.until(TIMEOUT, () -> registry.changeCount() > before, changed + " applied");
        long millis = TimeUnit.NANOSECONDS.toMillis(registry.changes().get(before).nanoTime() - start);

        assertThat(registry.changes().get(before).change().service()).isEqualTo(changed);
        assertThat(millis).as("ms for %s while the others block", changed).isLessThan(100);
        for (String other : services) {
          if (!other.equals(changed)) {
            assertThat(consul.held(other)).as(other + " still blocking").isEqualTo(1);
          }
        }
        Await.until(TIMEOUT, () -> consul.held(changed) == 1, changed + " blocking again");
      }
      assertThat(services).allSatisfy(s -> assertThat(registry.nodes(s)).hasSize(1));
      assertThat(services).allSatisfy(s -> assertThat(consul.requests(s)).isEqualTo(3));
    }
  }

  @Test
  void closeStillStopsAWatchWhoseRequestStartsJustAfterTheAbort() {
    // The abort can come after the watch checked "closed" but before its request was registered
    // for abort (EcwidTransport only knows a request once Apache's interceptor has run).
    LateRegisteringTransport transport = new LateRegisteringTransport();
    ConsulDiscovery discovery = consul.discovery().build(transport);
    discovery.watch("late-abort", registry);
    Await.until(TIMEOUT, () -> transport.inGet.getCount() == 0, "the watch inside get()");

    long start = System.nanoTime();
    discovery.close();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(millis).as("ms to close").isLessThan(1_000);
    assertThat(threadAlive("loadstar-consul-late-abort")).isFalse();
  }

  @Test
  void builderRejectsBadSettingsNamingTheValue() {
    ConsulDiscovery.Builder b = ConsulDiscovery.builder();
    assertThatThrownBy(() -> ConsulDiscovery.builder().address("127.0.0.1:8500").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.1:8500");
    assertThatThrownBy(() -> ConsulDiscovery.builder().address("ftp://consul:21").build())
        .hasMessageContaining("ftp://consul:21");
    assertThatThrownBy(() -> ConsulDiscovery.builder().wait(Duration.ofMillis(500)).build())
        .hasMessageContaining("wait: PT0.5S");
    assertThatThrownBy(() -> ConsulDiscovery.builder().wait(Duration.ofMinutes(11)).build())
        .hasMessageContaining("wait: PT11M");
    assertThatThrownBy(() -> ConsulDiscovery.builder()
        .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build()).hasMessageContaining("backoff");
    assertThatThrownBy(() -> ConsulDiscovery.builder().backoff(Duration.ZERO, Duration.ZERO).build())
        .hasMessageContaining("backoff");
    assertThatThrownBy(() -> ConsulDiscovery.builder().maxRequestsPerSecond(0).build())
        .hasMessageContaining("maxRequestsPerSecond: 0");
    assertThatThrownBy(() -> ConsulDiscovery.builder().maxRequestsPerSecond(Double.NaN).build())
        .hasMessageContaining("maxRequestsPerSecond: NaN");
    assertThatThrownBy(() -> ConsulDiscovery.builder().maxWatches(0).build())
        .hasMessageContaining("maxWatches: 0");
    assertThatThrownBy(() -> ConsulDiscovery.builder().connectTimeout(Duration.ZERO).build())
        .hasMessageContaining("connectTimeout: PT0S");
    assertThatThrownBy(() -> b.token(null).tag(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("tag");
  }

  @Test
  void watchRejectsBlankServiceAndToStringHidesTheToken() {
    try (ConsulDiscovery discovery = consul.discovery().address(consul.address() + "/")
        .token(ConsulStandIn.TOKEN).build()) {
      assertThatThrownBy(() -> discovery.watch(" ", registry))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service: ' '");
      assertThat(discovery.toString()).isEqualTo(
          "ConsulDiscovery{" + consul.address() + ", watches=0}");
    }
  }

  @Test
  void addressWithTrailingSlashStillReachesConsul() {
    consul.setService("orders", 10, Fixtures.instances("orders", 1));
    try (ConsulDiscovery discovery = consul.discovery().address(consul.address() + "/").build()) {
      discovery.watch("orders", registry);
      Await.until(TIMEOUT, () -> registry.nodes("orders").size() == 1, "the first list");
    }
    assertThat(registry.nodes("orders")).extracting(Node::host).containsExactly("10.0.0.1");
  }

  /**
   * get() answers once, then on the next call waits until close() has aborted once, and only then
   * becomes abortable; it then blocks until aborted (or 10 s). Models the window in which Apache's
   * request is not yet known to {@link EcwidTransport#abort}.
   */
  private static final class LateRegisteringTransport implements ConsulTransport {
    final CountDownLatch inGet = new CountDownLatch(1);
    private final CountDownLatch firstAbort = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();
    private volatile @Nullable Thread registered;
    private final CountDownLatch aborted = new CountDownLatch(1);

    @Override
    public ConsulAnswer get(String path, List<Map.Entry<String, String>> query) throws IOException {
      if (calls.incrementAndGet() == 1) {
        return new ConsulAnswer(200, Fixtures.instances("orders", 1), 5L, Map.of());
      }
      inGet.countDown();
      try {
        firstAbort.await(5, TimeUnit.SECONDS);
        registered = Thread.currentThread();
        if (aborted.await(10, TimeUnit.SECONDS)) {
          throw new IOException("aborted");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      return new ConsulAnswer(200, Fixtures.instances("orders", 1), 5L, Map.of());
    }

    @Override
    public ConsulAnswer put(String path, String json) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void abort(Thread thread) {
      if (registered == thread) {
        aborted.countDown();
      }
      firstAbort.countDown();
    }

    @Override
    public void close() {}
  }
}
