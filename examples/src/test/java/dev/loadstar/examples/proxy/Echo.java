package dev.loadstar.examples.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an {@link EchoBackend} received, read back from its answer.
 *
 * @param backend the backend that answered ({@code X-Backend})
 * @param headers request fields by lower-case name
 */
record Echo(String backend, String method, String target, Map<String, List<String>> headers,
    String body) {

  static Echo parse(String backend, String answer) {
    int end = answer.indexOf("\n\n");
    String method = null;
    String target = null;
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line : answer.substring(0, end).split("\n")) {
      String[] parts = line.split(" ", 3);
      switch (parts[0]) {
        case "method" -> method = parts[1];
        case "target" -> target = parts[1];
        case "header" -> headers.computeIfAbsent(parts[1], k -> new ArrayList<>())
            .add(parts.length > 2 ? parts[2] : "");
        default -> throw new IllegalArgumentException("not an echo: " + line);
      }
    }
    return new Echo(backend, method, target, headers, answer.substring(end + 2));
  }

  /** The single value of request field {@code name}, or null if it did not arrive. */
  String header(String name) {
    List<String> values = headers.get(name);
    return values == null ? null : String.join(", ", values);
  }
}
