package dev.loadstar.consul;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Self-registration with the agent: the register body, TTL passes, and deregistration. */
@ExtendWith(TokenNeverLogged.class)
class ConsulRegistrationTest {
  private static final String TOKEN = ConsulStandIn.TOKEN;

  private final ConsulStandIn consul = new ConsulStandIn();

  @AfterEach
  void tearDown() {
    consul.close();
  }

  private List<LoggedRequest> puts() {
    return consul.journal().stream().filter(r -> r.getMethod().getName().equals("PUT")).toList();
  }

  private static JsonNode json(LoggedRequest r) throws IOException {
    return Fixtures.JSON.readTree(r.getBodyAsString());
  }

  @Test
  void registersWithAnHttpCheckAndDeregistersOnClose() throws IOException {
    int mark = LogCapture.mark();
    ConsulRegistration registration = ConsulRegistration.builder().address(consul.address())
        .token(TOKEN).name("orders").id("orders-1").serviceAddress("10.0.0.7").port(8080)
        .tag("v2").tag("eu").meta("version", "2").weights(10, 1)
        .httpCheck("http://10.0.0.7:8080/health", Duration.ofSeconds(5)).register();

    List<LoggedRequest> puts = puts();
    assertThat(puts).hasSize(1);
    LoggedRequest register = puts.get(0);
    assertThat(register.getUrl()).isEqualTo("/v1/agent/service/register");
    JsonNode body = json(register);
    assertThat(body.get("ID").asText()).isEqualTo("orders-1");
    assertThat(body.get("Name").asText()).isEqualTo("orders");
    assertThat(body.get("Address").asText()).isEqualTo("10.0.0.7");
    assertThat(body.get("Port").asInt()).isEqualTo(8080);
    assertThat(body.get("Tags")).extracting(JsonNode::asText).containsExactly("v2", "eu");
    assertThat(body.get("Meta").get("version").asText()).isEqualTo("2");
    assertThat(body.get("Weights").get("Passing").asInt()).isEqualTo(10);
    assertThat(body.get("Weights").get("Warning").asInt()).isEqualTo(1);
    JsonNode check = body.get("Check");
    assertThat(check.get("HTTP").asText()).isEqualTo("http://10.0.0.7:8080/health");
    assertThat(check.get("Interval").asText()).isEqualTo("5000ms");
    assertThat(check.get("Timeout").asText()).isEqualTo("2000ms");
    assertThat(check.get("DeregisterCriticalServiceAfter").asText()).isEqualTo("60000ms");
    assertThat(check.has("TTL")).isFalse();
    assertThat(registration.id()).isEqualTo("orders-1");
    assertThatThrownBy(registration::pass).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no TTL check");

    registration.close();
    registration.close(); // once only

    puts = puts();
    assertThat(puts).extracting(LoggedRequest::getUrl).containsExactly(
        "/v1/agent/service/register", "/v1/agent/service/deregister/orders-1");
    assertThat(puts).allSatisfy(r -> {
      assertThat(r.header("X-Consul-Token").values()).containsExactly(TOKEN);
      assertThat(r.getUrl()).doesNotContain(TOKEN).doesNotContain("token");
      assertThat(r.getBodyAsString()).doesNotContain(TOKEN);
    });
    assertThat(registration.toString()).doesNotContain(TOKEN).contains("orders-1").contains("closed");
    assertThat(LogCapture.since(mark)).doesNotContain(TOKEN);
  }

  @Test
  void ttlCheckIsPassedWithThePassEndpoint() throws IOException {
    try (ConsulRegistration registration = ConsulRegistration.builder().address(consul.address())
        .token(TOKEN).name("orders").port(8080).ttlCheck(Duration.ofSeconds(15))
        .deregisterCriticalAfter(null).register()) {
      registration.pass();
      registration.pass();

      JsonNode body = json(puts().get(0));
      assertThat(body.get("ID").asText()).isEqualTo("orders-agent-8080");
      assertThat(body.has("Address")).as("no address: the agent's").isFalse();
      assertThat(body.get("Weights").get("Passing").asInt()).isEqualTo(1);
      assertThat(body.get("Tags")).isEmpty();
      assertThat(body.get("Meta").isEmpty()).isTrue();
      assertThat(body.get("Check").get("TTL").asText()).isEqualTo("15000ms");
      assertThat(body.get("Check").has("HTTP")).isFalse();
      assertThat(body.get("Check").has("DeregisterCriticalServiceAfter")).isFalse();
    }

    assertThat(puts()).extracting(LoggedRequest::getUrl).containsExactly(
        "/v1/agent/service/register",
        "/v1/agent/check/pass/service:orders-agent-8080",
        "/v1/agent/check/pass/service:orders-agent-8080",
        "/v1/agent/service/deregister/orders-agent-8080");
    assertThat(puts()).allSatisfy(r ->
        assertThat(r.header("X-Consul-Token").values()).containsExactly(TOKEN));
  }

  @Test
  void instanceIdIsEncodedInThePath() throws IOException {
    try (ConsulRegistration registration = ConsulRegistration.builder().address(consul.address())
        .name("orders").id("orders 1/ü").port(8080).ttlCheck(Duration.ofSeconds(15)).register()) {
      registration.pass();
    }

    List<String> urls = puts().stream().map(LoggedRequest::getUrl).toList();
    assertThat(urls.get(1)).isEqualTo("/v1/agent/check/pass/service:orders%201%2F%C3%BC");
    assertThat(urls.get(2)).isEqualTo("/v1/agent/service/deregister/orders%201%2F%C3%BC");
    assertThat(ConsulStandIn.decodePathSegment(urls.get(2).substring(urls.get(2).lastIndexOf('/') + 1)))
        .isEqualTo("orders 1/ü");
  }

  @Test
  void refusalIsAnIOExceptionThatNamesTheAclProblemButNotTheToken() {
    consul.server().stubFor(put(urlPathEqualTo("/v1/agent/service/register")).atPriority(1)
        .willReturn(aResponse().withStatus(403).withBody("Permission denied")));

    assertThatThrownBy(() -> ConsulRegistration.builder().address(consul.address()).token(TOKEN)
        .name("orders").port(8080).ttlCheck(Duration.ofSeconds(15)).register())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("403 Permission denied")
        .hasMessageContaining("lacks service:write")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
  }

  @Test
  void passRefusedIsAnIOException() throws IOException {
    consul.server().stubFor(put(urlPathEqualTo("/v1/agent/check/pass/service:orders-1")).atPriority(1)
        .willReturn(aResponse().withStatus(404).withBody("Unknown check ID \"service:orders-1\"")));
    try (ConsulRegistration registration = ConsulRegistration.builder().address(consul.address())
        .name("orders").id("orders-1").port(8080).ttlCheck(Duration.ofSeconds(15)).register()) {
      assertThatThrownBy(registration::pass).isInstanceOf(IOException.class)
          .hasMessageContaining("pass the TTL check of 'orders-1': 404");
    }
  }

  @Test
  void deregisterFailureOnCloseIsLoggedNotThrown() throws IOException {
    ConsulRegistration registration = ConsulRegistration.builder().address(consul.address())
        .token(TOKEN).name("orders").id("orders-1").port(8080).ttlCheck(Duration.ofSeconds(15))
        .register();
    consul.stop();
    int mark = LogCapture.mark();

    registration.close();

    assertThat(LogCapture.since(mark)).contains("could not deregister service instance 'orders-1'")
        .doesNotContain(TOKEN);
  }

  @Test
  void unreachableAgentFailsRegistration() {
    consul.stop();
    assertThatThrownBy(() -> ConsulRegistration.builder().address(consul.address()).name("orders")
        .port(8080).ttlCheck(Duration.ofSeconds(15)).register()).isInstanceOf(IOException.class);
  }

  @Test
  void builderRejectsMissingOrInvalidSettings() {
    assertThatThrownBy(() -> ConsulRegistration.builder().port(8080)
        .ttlCheck(Duration.ofSeconds(1)).register()).hasMessageContaining("name: 'null'");
    assertThatThrownBy(() -> ConsulRegistration.builder().name("orders").port(0)
        .ttlCheck(Duration.ofSeconds(1)).register()).hasMessageContaining("port: 0");
    assertThatThrownBy(() -> ConsulRegistration.builder().name("orders").port(8080).register())
        .hasMessageContaining("check: none");
    assertThatThrownBy(() -> ConsulRegistration.builder().name("orders").port(8080).weights(0, 1)
        .ttlCheck(Duration.ofSeconds(1)).register()).hasMessageContaining("weights: 0/1");
    assertThatThrownBy(() -> ConsulRegistration.builder().address("consul:8500").name("orders")
        .port(8080).ttlCheck(Duration.ofSeconds(1)).register()).hasMessageContaining("consul:8500");
    assertThat(consul.journal()).isEmpty();
  }
}
