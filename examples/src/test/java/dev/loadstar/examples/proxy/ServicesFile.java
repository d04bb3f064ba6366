package dev.loadstar.examples.proxy;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.util.stream.Collectors.joining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a services file (JsonFileDiscovery's format) the way a deploy tool should: atomically. */
final class ServicesFile {
  private ServicesFile() {}

  /** One round-robin service whose nodes are {@code backends}, on loopback. */
  static void write(Path file, String service, List<EchoBackend> backends) throws IOException {
    Map<String, Integer> nodes = new LinkedHashMap<>();
    backends.forEach(b -> nodes.put(b.name(), b.port()));
    write(file, service, nodes);
  }

  /** One round-robin service with a node per entry: id to loopback port. */
  static void write(Path file, String service, Map<String, Integer> nodes) throws IOException {
    String list = nodes.entrySet().stream()
        .map(n -> "{\"id\": \"" + n.getKey() + "\", \"host\": \"127.0.0.1\", \"port\": "
            + n.getValue() + "}")
        .collect(joining(",\n        ", "\n        ", "\n      "));
    String json = """
        {
          "services": {
            "%s": {
              "strategy": "round-robin",
              "nodes": [%s]
            }
          }
        }
        """.formatted(service, nodes.isEmpty() ? "" : list);
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, json);
    Files.move(temporary, file, REPLACE_EXISTING, ATOMIC_MOVE);
  }
}
