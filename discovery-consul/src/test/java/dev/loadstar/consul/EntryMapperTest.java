package dev.loadstar.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loadstar.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mapping of /v1/health/service entries to nodes, over every Consul-documented fixture. */
class EntryMapperTest {
  private final List<String> skipped = new ArrayList<>();
  private final EntryMapper mapper = new EntryMapper(null);

  private List<Node> map(String body) {
    return mapper.map(Fixtures.entries(body), skipped::add);
  }

  @Test
  void mapsCurrentSampleWithWeightsTagsAndMeta() {
    List<Node> nodes = map(Fixtures.text(Fixtures.REDIS_CURRENT));

    assertThat(nodes).containsExactly(Node.builder().id("foobar/redis").host("10.1.10.12")
        .port(8000).weight(10).tag("primary").metadata("redis_version", "4.0").build());
    assertThat(skipped).isEmpty();
  }

  @Test
  void mapsConsul14SampleLikeTheCurrentOne() {
    // The 1.4-era shape has Weights and Meta but no Service.TaggedAddresses and no Namespace.
    assertThat(map(Fixtures.text(Fixtures.REDIS_1_4)))
        .isEqualTo(map(Fixtures.text(Fixtures.REDIS_CURRENT)));
  }

  @Test
  void consul08SampleWithoutWeightsGetsConsulsDefaultWeightOne() {
    // No Weights, no Meta, and "ServiceTags": null in the serfHealth check.
    List<Node> nodes = map(Fixtures.text(Fixtures.REDIS_0_8));

    assertThat(nodes).containsExactly(Node.builder().id("foobar/redis").host("10.1.10.12")
        .port(8000).weight(1).tag("primary").build());
    assertThat(nodes.get(0).metadata()).isEmpty();
    assertThat(skipped).isEmpty();
  }

  @Test
  void agentSampleWrappedAsHealthEntries_emptyServiceAddressFallsBackToNodeAddress_criticalLeftOut() {
    // Derived fixture (README.md): web1 passing with "Address": "", web2 with a critical check.
    List<Node> nodes = map(Fixtures.text(Fixtures.WEB_DERIVED));

    assertThat(nodes).containsExactly(Node.builder().id("foobar/web1").host("10.1.10.12").port(80)
        .weight(1).tag("rails").build());
    assertThat(skipped).as("a critical instance is left out, not reported as unusable").isEmpty();
  }

  @Test
  void emptyListMapsToNoNodes() {
    assertThat(map(Fixtures.text(Fixtures.EMPTY_LIST))).isEmpty();
  }

  @Test
  void instanceInWarningTakesTheWarningWeight() {
    ObjectNode warning = Fixtures.withServiceCheck(Fixtures.instance("redis", "n1", "10.0.0.1"), "warning");
    ObjectNode passing = Fixtures.instance("redis", "n2", "10.0.0.2");

    List<Node> nodes = map(Fixtures.body(warning, passing));

    assertThat(nodes).extracting(Node::id, Node::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("n1/redis", 1),
            org.assertj.core.groups.Tuple.tuple("n2/redis", 10));
  }

  @Test
  void missingWarningWeightMeansOne() {
    ObjectNode e = Fixtures.withServiceCheck(Fixtures.instance("redis", "n1", "10.0.0.1"), "warning");
    ((ObjectNode) e.get("Service").get("Weights")).remove("Warning");

    assertThat(map(Fixtures.body(e))).extracting(Node::weight).containsExactly(1);
  }

  @Test
  void weightBelowOneBecomesOne() {
    ObjectNode e = Fixtures.instance("redis", "n1", "10.0.0.1");
    ((ObjectNode) e.get("Service").get("Weights")).put("Passing", 0);

    assertThat(map(Fixtures.body(e))).extracting(Node::weight).containsExactly(1);
  }

  @Test
  void criticalAndMaintenanceInstancesNeverBecomeNodes() {
    ObjectNode critical = Fixtures.withServiceCheck(Fixtures.instance("redis", "n1", "10.0.0.1"), "critical");
    ObjectNode maintenance = Fixtures.withServiceCheck(Fixtures.instance("redis", "n2", "10.0.0.2"), "maintenance");
    ObjectNode nodeDown = Fixtures.instance("redis", "n3", "10.0.0.3");
    ((ObjectNode) nodeDown.get("Checks").get(1)).put("Status", "critical"); // serfHealth
    ObjectNode passing = Fixtures.instance("redis", "n4", "10.0.0.4");

    List<Node> nodes = map(Fixtures.body(critical, maintenance, nodeDown, passing));

    assertThat(nodes).extracting(Node::host).containsExactly("10.0.0.4");
    assertThat(EntryMapper.status(Fixtures.entries(Fixtures.body(nodeDown)).get(0))).isEqualTo("critical");
  }

  @Test
  void unmappableEntriesAreSkippedAndReportedNotFatal() {
    ObjectNode noPort = Fixtures.instance("redis", "n1", "10.0.0.1");
    ((ObjectNode) noPort.get("Service")).remove("Port");
    ObjectNode portZero = Fixtures.instance("redis", "n2", "10.0.0.2");
    ((ObjectNode) portZero.get("Service")).put("Port", 0);
    ObjectNode badAddress = Fixtures.instance("redis", "n3", "10.0.0.3");
    ((ObjectNode) badAddress.get("Service")).put("Address", "10.0.0.3 evil");
    ObjectNode noAddressAtAll = Fixtures.instance("redis", "n4", "10.0.0.4");
    ((ObjectNode) noAddressAtAll.get("Service")).put("Address", "");
    ((ObjectNode) noAddressAtAll.get("Node")).put("Address", "");
    ObjectNode noService = Fixtures.instance("redis", "n5", "10.0.0.5");
    noService.remove("Service");
    ObjectNode good = Fixtures.instance("redis", "n6", "10.0.0.6");
    String body = "[" + String.join(",", noPort.toString(), portZero.toString(), badAddress.toString(),
        noAddressAtAll.toString(), noService.toString(), "null", good.toString()) + "]";

    List<Node> nodes = map(body);

    assertThat(nodes).extracting(Node::host).containsExactly("10.0.0.6");
    assertThat(skipped).hasSize(6);
    assertThat(skipped).anySatisfy(s -> assertThat(s).contains("n1/redis").contains("Port"));
    assertThat(skipped).anySatisfy(s -> assertThat(s).contains("n2/redis").contains("port: 0"));
    assertThat(skipped).anySatisfy(s -> assertThat(s).contains("n3/redis").contains("10.0.0.3 evil"));
    assertThat(skipped).anySatisfy(s -> assertThat(s).contains("n4/redis").contains("no address"));
    assertThat(skipped).anySatisfy(s -> assertThat(s).contains("n5/?").contains("no Service"));
    assertThat(skipped).anySatisfy(s -> assertThat(s).contains("null entry"));
  }

  @Test
  void nodesComeOutSortedByIdWhateverTheAnswerOrder() {
    String forward = Fixtures.body(Fixtures.instance("redis", "a", "10.0.0.1"),
        Fixtures.instance("redis", "b", "10.0.0.2"), Fixtures.instance("redis", "c", "10.0.0.3"));
    String backward = Fixtures.body(Fixtures.instance("redis", "c", "10.0.0.3"),
        Fixtures.instance("redis", "b", "10.0.0.2"), Fixtures.instance("redis", "a", "10.0.0.1"));

    assertThat(map(backward)).isEqualTo(map(forward))
        .extracting(Node::id).containsExactly("a/redis", "b/redis", "c/redis");
  }

  @Test
  void sameServiceIdOnTwoConsulNodesGivesTwoNodes() {
    // A service id is only unique per agent: "redis" on two machines is two instances.
    List<Node> nodes = map(Fixtures.body(Fixtures.instance("redis", "n1", "10.0.0.1"),
        Fixtures.instance("redis", "n2", "10.0.0.2")));

    assertThat(nodes).extracting(Node::id).containsExactly("n1/redis", "n2/redis");
  }

  @Test
  void blankServiceIdFallsBackToTheServiceName() {
    ObjectNode e = Fixtures.instance("redis", "n1", "10.0.0.1");
    ((ObjectNode) e.get("Service")).put("ID", "");

    assertThat(map(Fixtures.body(e))).extracting(Node::id).containsExactly("n1/redis");
  }

  @Test
  void zoneComesFromServiceMetaThenNodeMeta() {
    EntryMapper zoned = new EntryMapper("zone");
    ObjectNode serviceZone = Fixtures.instance("redis", "n1", "10.0.0.1");
    ((ObjectNode) serviceZone.get("Service").get("Meta")).put("zone", "eu-1a");
    ((ObjectNode) serviceZone.get("Node").get("Meta")).put("zone", "eu-1b");
    ObjectNode nodeZone = Fixtures.instance("redis", "n2", "10.0.0.2");
    ((ObjectNode) nodeZone.get("Node").get("Meta")).put("zone", "eu-1c");
    ObjectNode noZone = Fixtures.instance("redis", "n3", "10.0.0.3");

    List<Node> nodes = zoned.map(Fixtures.entries(Fixtures.body(serviceZone, nodeZone, noZone)),
        skipped::add);

    assertThat(nodes).extracting(Node::zone).containsExactly("eu-1a", "eu-1c", null);
  }

  @Test
  void nullTagsAndMetaValuesAreIgnored() {
    ObjectNode e = Fixtures.instance("redis", "n1", "10.0.0.1");
    ((ObjectNode) e.get("Service")).putNull("Tags");
    ((ObjectNode) e.get("Service").get("Meta")).putNull("empty");

    Node node = map(Fixtures.body(e)).get(0);

    assertThat(node.tags()).isEmpty();
    assertThat(node.metadata()).isEqualTo(Map.of("redis_version", "4.0"));
  }
}
