package dev.loadstar.strategy;

import dev.loadstar.Strategies;

/** Prints, one per line, the node that ring hash and Maglev give each of 10,000 keys. */
final class HashMappingMain {
  private HashMappingMain() {}

  public static void main(String[] args) {
    StringBuilder out = new StringBuilder();
    for (Strategy strategy : new Strategy[] {Strategies.ringHash(), Strategies.maglev()}) {
      for (String owner : HashFixtures.map(HashFixtures.picker(strategy, HashFixtures.named(10)), 10_000)) {
        out.append(owner).append('\n');
      }
    }
    System.out.print(out);
  }
}
