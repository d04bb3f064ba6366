package dev.loadstar.okhttp;

import static dev.loadstar.okhttp.Clients.SERVICE;
import static dev.loadstar.okhttp.Clients.inFlight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.LoadBalancer;
import dev.loadstar.Strategies;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;
import javax.net.ssl.SSLPeerUnverifiedException;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTPS through the interceptor: the URL keeps the service name, so TLS checks the certificate
 * against {@code orders} with OkHttp's own hostname verifier, while a per-node {@code Dns} sends
 * the connection to the picked node and a per-node socket factory to its port. Each node gets
 * its own pooled connection; consecutive calls picked to different nodes really reach different
 * servers.
 */
class HttpsPoolingTest {
  private static HeldCertificate root;
  private static HandshakeCertificates ordersServerCerts;
  private static HandshakeCertificates paymentsServerCerts;
  private static HandshakeCertificates clientCerts;

  private final List<Backend> backends = new ArrayList<>();
  private LoadBalancer lb;
  private OkHttpClient client;

  @BeforeAll
  static void makeCertificates() {
    root = new HeldCertificate.Builder().certificateAuthority(0).commonName("test root").build();
    HeldCertificate orders = new HeldCertificate.Builder()
        .addSubjectAlternativeName(SERVICE).commonName(SERVICE).signedBy(root).build();
    HeldCertificate payments = new HeldCertificate.Builder()
        .addSubjectAlternativeName("payments").commonName("payments").signedBy(root).build();
    ordersServerCerts = new HandshakeCertificates.Builder()
        .heldCertificate(orders, root.certificate()).build();
    paymentsServerCerts = new HandshakeCertificates.Builder()
        .heldCertificate(payments, root.certificate()).build();
    // Trusts this root only: no platform CAs, no insecure hosts.
    clientCerts = new HandshakeCertificates.Builder()
        .addTrustedCertificate(root.certificate()).build();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      Clients.shutdown(client);
    }
    backends.forEach(Backend::close);
    if (lb != null) {
      lb.close();
    }
  }

  /** Which protocols server and client offer: HTTP/1.1 only, or HTTP/2 negotiated by ALPN. */
  enum Protocols {
    HTTP_1_1(List.of(Protocol.HTTP_1_1)),
    HTTP_2(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));

    final List<Protocol> offered;

    Protocols(List<Protocol> offered) {
      this.offered = offered;
    }
  }

  private void start(HandshakeCertificates serverCerts, int count, Protocols protocols)
      throws Exception {
    for (int i = 0; i < count; i++) {
      backends.add(Backend.start("s" + i, serverCerts.sslSocketFactory(), protocols.offered));
    }
    lb = Clients.balancer(Strategies.roundRobin());
    lb.registry().update(SERVICE, backends.stream().map(Backend::node).toList());
    client = Clients.builder(LoadBalancingInterceptor.create(lb))
        .sslSocketFactory(clientCerts.sslSocketFactory(), clientCerts.trustManager())
        .protocols(protocols.offered)
        .build();
    // Hostname verification stays OkHttp's default: never replaced in these tests.
    assertThat(client.hostnameVerifier().getClass().getName())
        .isEqualTo("okhttp3.internal.tls.OkHostnameVerifier");
  }

  private static Request get(String path) {
    return new Request.Builder().url("https://" + SERVICE + path).build();
  }

  @ParameterizedTest
  @EnumSource(Protocols.class)
  void consecutiveCallsReachDifferentServersOverOnePooledConnectionPerNode(Protocols protocols)
      throws Exception {
    start(ordersServerCerts, 2, protocols);

    List<String> answeredBy = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      try (Response response = client.newCall(get("/api/" + i)).execute()) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.handshake()).isNotNull();
        assertThat(response.request().url().host()).isEqualTo(SERVICE);
        answeredBy.add(response.body().string());
      }
    }

    for (int i = 1; i < answeredBy.size(); i++) {
      assertThat(answeredBy.get(i)).as("call %d", i).isNotEqualTo(answeredBy.get(i - 1));
    }
    for (Backend b : backends) {
      List<RecordedRequest> got = b.received();
      assertThat(got).hasSize(5);
      assertThat(got).extracting(RecordedRequest::getConnectionIndex).as("connections on %s",
          b.name()).containsOnly(0);
      assertThat(got).extracting(RecordedRequest::getExchangeIndex)
          .containsExactly(0, 1, 2, 3, 4);
      assertThat(got).allSatisfy(r -> assertThat(r.getUrl().host()).isEqualTo(SERVICE));
    }
    assertThat(client.connectionPool().connectionCount()).isEqualTo(2);
    assertThat(inFlight(lb)).isZero();
  }

  @Test
  void aClientsOwnSocketFactoryIsKeptAndStillReachesEachNode() throws Exception {
    start(ordersServerCerts, 2, Protocols.HTTP_1_1);
    AtomicInteger made = new AtomicInteger();
    SocketFactory counting = new CountingSocketFactory(made);
    OkHttpClient own = client.newBuilder().socketFactory(counting).build();

    List<String> answeredBy = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (Response response = own.newCall(get("/own/" + i)).execute()) {
        assertThat(response.request().url().host()).isEqualTo(SERVICE);
        answeredBy.add(response.body().string());
      }
    }

    assertThat(answeredBy.get(0)).isNotEqualTo(answeredBy.get(1));
    assertThat(answeredBy.subList(2, 4)).isEqualTo(answeredBy.subList(0, 2));
    assertThat(made.get()).as("sockets made by the client's factory").isEqualTo(2);
    assertThat(backends).allSatisfy(b -> assertThat(b.received())
        .extracting(RecordedRequest::getConnectionIndex).containsOnly(0));
  }

  @Test
  void tlsServerNameIsTheServiceNameNotTheNodeAddress() throws Exception {
    // The JDK sends SNI only for names with a dot (RFC 6066 wants a DNS host name), so this
    // service has a dotted name; for "orders" no server name would be sent at all.
    String service = "orders.internal";
    HeldCertificate cert = new HeldCertificate.Builder()
        .addSubjectAlternativeName(service).signedBy(root).build();
    HandshakeCertificates serverCerts = new HandshakeCertificates.Builder()
        .heldCertificate(cert, root.certificate()).build();
    start(serverCerts, 1, Protocols.HTTP_1_1);
    lb.registry().update(service, backends.stream().map(Backend::node).toList());

    Request request = new Request.Builder().url("https://" + service + "/sni").build();
    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }

    RecordedRequest got = backends.get(0).takeRequest();
    assertThat(got.getHandshakeServerNames()).containsExactly(service);
  }

  @Test
  void nodeWhoseCertificateDoesNotNameTheServiceIsRefused() throws Exception {
    start(paymentsServerCerts, 1, Protocols.HTTP_1_1);

    assertThatThrownBy(() -> client.newCall(get("/api")).execute())
        .isInstanceOf(SSLPeerUnverifiedException.class)
        .hasMessageContaining("orders");
    assertThat(backends.get(0).requestCount()).isZero();
    assertThat(inFlight(lb)).isZero();
  }

  /** The JDK's plain sockets, counted: a client's own factory, as one that binds an interface. */
  private static final class CountingSocketFactory extends SocketFactory {
    private final AtomicInteger made;

    CountingSocketFactory(AtomicInteger made) {
      this.made = made;
    }

    @Override
    public Socket createSocket() {
      made.incrementAndGet();
      return new Socket();
    }

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException("OkHttp connects sockets itself");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException("OkHttp connects sockets itself");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
      throw new UnsupportedOperationException("OkHttp connects sockets itself");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
        int localPort) {
      throw new UnsupportedOperationException("OkHttp connects sockets itself");
    }
  }
}
