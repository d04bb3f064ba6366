package dev.loadstar.registry;

import org.jspecify.annotations.Nullable;

/**
 * One node as a balancer sees it at one moment. Serialisable to JSON with Jackson.
 *
 * @param id the node id
 * @param address {@code host:port}
 * @param zone the node's zone, or null
 * @param weight the configured weight
 * @param effectiveWeight the weight pickers use now (lower while in slow start)
 * @param eligible whether pickers may choose it (outside panic)
 * @param ejected whether its breaker has ejected it
 * @param breakerState the resilience4j state name, or DISABLED
 * @param inFlight requests leased and not yet closed
 * @param peakEwmaMillis the peak-EWMA latency estimate, decayed to now
 */
public record NodeSnapshot(
    String id,
    String address,
    @Nullable String zone,
    int weight,
    double effectiveWeight,
    boolean eligible,
    boolean ejected,
    String breakerState,
    int inFlight,
    double peakEwmaMillis) {}
