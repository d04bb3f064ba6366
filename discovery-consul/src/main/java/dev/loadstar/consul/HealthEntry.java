package dev.loadstar.consul;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One element of {@code GET /v1/health/service/<name>}: the fields Loadstar reads, in Consul's
 * capitalisation. Everything else (TaggedAddresses, Proxy, Connect, indexes, fields of future
 * versions) is ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record HealthEntry(
    @JsonProperty("Node") @Nullable ConsulNode node,
    @JsonProperty("Service") @Nullable ConsulService service,
    @JsonProperty("Checks") @Nullable List<Check> checks) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ConsulNode(
      @JsonProperty("Node") @Nullable String name,
      @JsonProperty("Address") @Nullable String address,
      @JsonProperty("Datacenter") @Nullable String datacenter,
      @JsonProperty("Meta") @Nullable Map<String, String> meta) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record ConsulService(
      @JsonProperty("ID") @Nullable String id,
      @JsonProperty("Service") @Nullable String name,
      @JsonProperty("Tags") @Nullable List<String> tags,
      @JsonProperty("Address") @Nullable String address,
      @JsonProperty("Port") @Nullable Integer port,
      @JsonProperty("Meta") @Nullable Map<String, String> meta,
      @JsonProperty("Weights") @Nullable Weights weights) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Weights(
      @JsonProperty("Passing") @Nullable Integer passing,
      @JsonProperty("Warning") @Nullable Integer warning) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Check(
      @JsonProperty("Status") @Nullable String status,
      @JsonProperty("ServiceID") @Nullable String serviceId) {}
}
