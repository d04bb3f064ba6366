package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.get;
import static dev.loadstar.okhttp.Clients.inFlight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Node;
import dev.loadstar.ServiceConfig;
import dev.loadstar.Strategies;
import dev.loadstar.registry.NodeSnapshot;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.SocketEffect;
import okhttp3.Cache;
import okhttp3.CacheControl;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSink;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call counts in flight on its node from the pick until its response is over, and the count
 * ends exactly once whichever way it ends: body read to the end, closed, failed while reading,
 * call cancelled, call failed, or a response with no body. "Exactly once" shows as a count that
 * drops to 0 and stays there when the other endings follow (a second release would make it -1).
 */
class InFlightTest {
  private Backend backend;
  private LoadBalancer lb;
  private OkHttpClient client;
  private final ExecutorService caller = Executors.newSingleThreadExecutor();

  @BeforeEach
  void setUp() throws Exception {
    backend = Backend.start("s0");
    lb = Clients.balancer(Strategies.roundRobin());
    lb.registry().update(SERVICE, List.of(backend.node()));
    client = Clients.client(LoadBalancingInterceptor.create(lb));
  }

  @AfterEach
  void tearDown() {
    caller.shutdownNow();
    Clients.shutdown(client);
    backend.close();
    lb.close();
  }

  @Test
  void inFlightEndsOnceWhenBodyIsReadToTheEnd() throws Exception {
    Response response = client.newCall(get("/a")).execute();
    assertThat(inFlight(lb)).isEqualTo(1);

    BufferedSource source = response.body().source();
    assertThat(source.readUtf8()).isEqualTo("s0");
    assertThat(inFlight(lb)).as("after EOF, before close").isZero();

    response.close();
    response.close();
    assertThat(inFlight(lb)).isZero();
    assertThat(snapshotInFlight()).isZero();
  }

  @Test
  void inFlightEndsOnceWhenBodyIsClosedUnread() throws Exception {
    Response response = client.newCall(get("/a")).execute();
    assertThat(inFlight(lb)).isEqualTo(1);

    response.close();
    assertThat(inFlight(lb)).isZero();

    response.body().close();
    response.close();
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void inFlightEndsOnceWhenBodyStringIsTaken() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (Response response = client.newCall(get("/a")).execute()) {
        assertThat(response.body().string()).isEqualTo("s0");
        assertThat(inFlight(lb)).isZero();
      }
    }
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void inFlightEndsOnceWhenReadingTheBodyFails() throws Exception {
    // Declares 10 bytes, sends 5, then the connection drops.
    backend.respond(new MockResponse.Builder().code(200)
        .body(new PartialBody(10, "hello", null))
        .onResponseEnd(new SocketEffect.CloseSocket())
        .build());

    Response response = client.newCall(get("/a")).execute();
    assertThat(inFlight(lb)).isEqualTo(1);

    assertThatThrownBy(() -> response.body().source().readUtf8()).isInstanceOf(IOException.class);
    assertThat(inFlight(lb)).as("after the read error, before close").isZero();

    response.close();
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void inFlightEndsOnceWhenCallIsCancelledBeforeTheResponse() throws Exception {
    // A breaker that opens on a single failure: any outcome wrongly reported would show.
    lb.configure(SERVICE, ServiceConfig.builder().slowStartWindow(Duration.ZERO)
        .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(1)
            .minimumNumberOfCalls(1).build())
        .build());
    Backend.Gate gate = backend.hold(r -> backend.ok());
    Call call = client.newCall(get("/slow"));
    Future<Response> pending = caller.submit(call::execute);

    gate.awaitArrival();
    assertThat(inFlight(lb)).isEqualTo(1);
    call.cancel();

    assertThatThrownBy(() -> pending.get(Backend.WAIT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(inFlight(lb)).isZero();
    // A cancelled call is not the node's fault: nothing was reported to its breaker.
    assertThat(lb.snapshot().get(0).nodes().get(0).breakerState()).isEqualTo("CLOSED");
    gate.release();
    assertThat(backend.requestCount()).as("never retried").isEqualTo(1);
  }

  @Test
  void inFlightEndsOnceWhenCallIsCancelledWhileReadingTheBody() throws Exception {
    Backend.Gate gate = new Backend.Gate();
    backend.respond(new MockResponse.Builder().code(200)
        .body(new PartialBody(10, "hello", gate))
        .build());

    Call call = client.newCall(get("/stream"));
    Response response = call.execute();
    BufferedSource source = response.body().source();
    assertThat(source.readUtf8(5)).isEqualTo("hello");
    gate.awaitArrival();
    assertThat(inFlight(lb)).isEqualTo(1);

    call.cancel();
    assertThatThrownBy(source::readUtf8).isInstanceOf(IOException.class);
    assertThat(inFlight(lb)).isZero();

    response.close();
    gate.release();
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void inFlightEndsAtOnceWhenCallIsCancelledWithTheBodyUnread() throws Exception {
    Call call = client.newCall(get("/a"));
    Response response = call.execute();
    assertThat(inFlight(lb)).isEqualTo(1);

    call.cancel();
    assertThat(inFlight(lb)).as("before the caller closes the body").isZero();

    response.close();
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void inFlightEndsOnceAlongsideTheClientsOwnEventListener() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    OkHttpClient listening = Clients.builder(LoadBalancingInterceptor.create(lb))
        .eventListener(new EventListener() {
          @Override
          public void callEnd(Call call) {
            events.add("callEnd");
          }
        })
        .build();
    try {
      for (int i = 0; i < 3; i++) {
        Response response = listening.newCall(get("/a")).execute();
        assertThat(inFlight(lb)).isEqualTo(1);
        response.close();
        assertThat(inFlight(lb)).isZero();
      }
      assertThat(events).containsExactly("callEnd", "callEnd", "callEnd");
    } finally {
      Clients.shutdown(listening);
    }
  }

  @Test
  void aResponseFromTheCacheIsNoOutcomeAndIsNotRetried(@TempDir File cacheDir) throws Exception {
    Backend other = Backend.start("other");
    try {
      lb.registry().update(SERVICE, List.of(backend.node(), other.node()));
      OkHttpClient caching = Clients.builder(LoadBalancingInterceptor.create(lb))
          .cache(new Cache(cacheDir, 1_000_000)).build();
      try {
        Request onlyIfCached = new Request.Builder().url("http://orders/a")
            .cacheControl(CacheControl.FORCE_CACHE).build();
        try (Response response = caching.newCall(onlyIfCached).execute()) {
          // OkHttp's own 504 for a cache miss: not the node's failure, nothing to retry.
          assertThat(response.code()).isEqualTo(504);
          assertThat(response.networkResponse()).isNull();
        }
        assertThat(backend.requestCount() + other.requestCount()).isZero();
        assertThat(inFlight(lb)).isZero();
        assertThat(Clients.stats(lb, backend).ewmaCostNanos()).isZero();
        assertThat(Clients.stats(lb, other).ewmaCostNanos()).isZero();
        assertThat(lb.snapshot().get(0).nodes())
            .allSatisfy(n -> assertThat(n.breakerState()).isEqualTo("CLOSED"));
      } finally {
        Clients.shutdown(caching);
      }
    } finally {
      other.close();
    }
  }

  @Test
  void inFlightEndsWhenTheCallFails() throws Exception {
    lb.registry().update(SERVICE, List.of(Node.of("127.0.0.1", Backend.refusedPort())));

    assertThatThrownBy(() -> client.newCall(get("/a")).execute()).isInstanceOf(IOException.class);
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void inFlightEndsAtOnceForHeadResponses() throws Exception {
    backend.respond(new MockResponse.Builder().code(200).addHeader("Content-Length", "2").build());
    Request head = new Request.Builder().url("http://orders/a").head().build();

    Response response = client.newCall(head).execute();
    assertThat(response.code()).isEqualTo(200);
    assertThat(inFlight(lb)).as("before close").isZero();

    response.close();
    assertThat(inFlight(lb)).isZero();
    assertThat(backend.takeRequest().getMethod()).isEqualTo("HEAD");
  }

  @Test
  void inFlightEndsAtOnceForNoContentResponses() throws Exception {
    backend.respond(new MockResponse.Builder().code(204).build());

    Response response = client.newCall(get("/a")).execute();
    assertThat(response.code()).isEqualTo(204);
    assertThat(inFlight(lb)).as("before close").isZero();

    response.close();
    response.body().close();
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void inFlightEndsOnceForAsyncCallsWhenTheCallbackClosesTheResponse() throws Exception {
    CompletableFuture<String> body = new CompletableFuture<>();
    client.newCall(get("/a")).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        body.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response response) throws IOException {
        try (response) {
          body.complete(response.body().string());
        }
      }
    });

    assertThat(body.get(Backend.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("s0");
    assertThat(inFlight(lb)).isZero();
  }

  private int snapshotInFlight() {
    return lb.snapshot().stream().flatMap(s -> s.nodes().stream())
        .mapToInt(NodeSnapshot::inFlight).sum();
  }

  /**
   * A body that declares {@code length} bytes, writes {@code prefix}, then either stops there (the
   * response's socket effect drops the connection) or, given a gate, waits at it before finishing.
   */
  static final class PartialBody implements MockResponseBody {
    private final long length;
    private final String prefix;
    private final Backend.@Nullable Gate gate;

    PartialBody(long length, String prefix, Backend.@Nullable Gate gate) {
      this.length = length;
      this.prefix = prefix;
      this.gate = gate;
    }

    @Override
    public long getContentLength() {
      return length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.writeUtf8(prefix);
      sink.flush();
      if (gate != null) {
        gate.arriveAndAwait();
        sink.writeUtf8("x".repeat((int) length - prefix.length()));
        sink.flush();
      }
    }
  }
}
