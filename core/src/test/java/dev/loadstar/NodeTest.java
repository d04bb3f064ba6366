package dev.loadstar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeTest {

  @Test
  void idDefaultsToHostAndPort() {
    assertThat(Node.of("10.0.0.7", 8080).id()).isEqualTo("10.0.0.7:8080");
    assertThat(Node.of("::1", 8080).id()).isEqualTo("[::1]:8080");
    assertThat(Node.builder().id("orders-1").host("h").port(1).build().id()).isEqualTo("orders-1");
  }

  @Test
  void carriesEveryFieldGiven() {
    Node n = Node.builder().host("10.0.0.7").port(8080).weight(3).zone("eu-1")
        .tag("version=v2").tag("canary").metadata(Map.of("k", "v")).build();
    assertThat(n.weight()).isEqualTo(3);
    assertThat(n.zone()).isEqualTo("eu-1");
    assertThat(n.tags()).containsExactly("canary", "version=v2");
    assertThat(n.metadata()).containsEntry("k", "v");
    assertThat(n.toBuilder().build()).isEqualTo(n);
    assertThat(n.toString()).contains("10.0.0.7:8080", "weight=3", "zone=eu-1");
  }

  @Test
  void isImmutable() {
    Node n = Node.builder().host("h").port(1).tag("a").metadata("k", "v").build();
    assertThatThrownBy(() -> n.tags().add("b")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> n.metadata().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsBadFieldsNamingFieldAndValue() {
    assertThatThrownBy(() -> Node.of("h", 0)).hasMessage("port: 0 (expected: 1-65535)");
    assertThatThrownBy(() -> Node.of("h", 65_536)).hasMessage("port: 65536 (expected: 1-65535)");
    assertThatThrownBy(() -> Node.of(" ", 80)).hasMessageContaining("host: ' '");
    assertThatThrownBy(() -> Node.of("a b", 80)).hasMessageContaining("host: 'a b'");
    assertThatThrownBy(() -> Node.of("[::1]", 80)).hasMessageContaining("without brackets");
    assertThatThrownBy(() -> Node.builder().host("h").port(1).weight(-2).build())
        .hasMessage("weight: -2 (expected: >= 1)");
    assertThatThrownBy(() -> Node.builder().host("h").port(1).weight(0).build())
        .hasMessage("weight: 0 (expected: >= 1)");
    assertThatThrownBy(() -> Node.builder().host("h").port(1).zone("").build())
        .hasMessageContaining("zone: ''");
    assertThatThrownBy(() -> Node.builder().tag(" ")).hasMessageContaining("tag: ' '");
    assertThatThrownBy(() -> Node.builder().port(1).build()).hasMessageContaining("host: null");
  }

  @Test
  void equalNodesAreEqualValues() {
    assertThat(Node.of("h", 1)).isEqualTo(Node.of("h", 1)).hasSameHashCodeAs(Node.of("h", 1));
    assertThat(Node.of("h", 1)).isNotEqualTo(Node.builder().host("h").port(1).weight(2).build());
    assertThat(List.of(Node.of("h", 1))).doesNotContain(Node.of("h", 2));
  }
}
