package dev.loadstar.examples.snippets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's "Library examples" and the snippet classes say the same thing: every
 * {@code // README:begin} ... {@code // README:end} region appears verbatim (less its common
 * indentation) in a {@code java} fence of that section, and those fences hold nothing else.
 * Surefire runs in the module directory, hence the paths.
 */
class SnippetsInReadmeTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path SNIPPETS =
      Path.of("src", "main", "java", "dev", "loadstar", "examples", "snippets");
  private static final String SECTION = "## Library examples";
  private static final String BEGIN = "// README:begin";
  private static final String END = "// README:end";

  @Test
  void everySnippetAppearsVerbatimInTheReadme() throws IOException {
    List<String> fences = javaFences(readmeSection());
    Map<String, List<String>> snippets = snippets();

    assertThat(snippets).containsKeys("WrapAClient.java", "ConsulDiscoveryExample.java",
        "StickyRoutingByHeader.java", "CustomBreakerSettings.java");
    List<String> missing = new ArrayList<>();
    snippets.forEach((file, regions) -> {
      assertThat(regions).as("README regions in %s", file).isNotEmpty();
      for (String region : regions) {
        if (fences.stream().noneMatch(fence -> fence.contains(region))) {
          missing.add(file + ":\n" + region);
        }
      }
    });
    assertThat(missing)
        .as("snippets missing from %s, section '%s' (copy them there verbatim)", README, SECTION)
        .isEmpty();
  }

  @Test
  void readmeShowsNoCodeThatIsNotASnippet() throws IOException {
    List<String> regions = snippets().values().stream().flatMap(List::stream).toList();

    List<String> fences = javaFences(readmeSection());

    assertThat(fences).isNotEmpty();
    for (String fence : fences) {
      String rest = fence;
      for (String region : regions) {
        rest = rest.replace(region, "");
      }
      assertThat(rest)
          .as("code in the README that no snippet has (edit the snippet class, then copy):\n%s",
              fence)
          .isBlank();
    }
  }

  /** Each snippet file's regions, less their common indentation, by file name. */
  private static Map<String, List<String>> snippets() throws IOException {
    Map<String, List<String>> byFile = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(SNIPPETS)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".java") && !name.equals("package-info.java")) {
          byFile.put(name, regions(file));
        }
      }
    }
    return byFile;
  }

  private static List<String> regions(Path file) throws IOException {
    List<String> regions = new ArrayList<>();
    List<String> current = null;
    int lineNumber = 0;
    for (String line : lines(file)) {
      lineNumber++;
      String marker = line.strip();
      if (marker.equals(BEGIN)) {
        assertThat(current).as("%s:%d: %s inside a region", file, lineNumber, BEGIN).isNull();
        current = new ArrayList<>();
      } else if (marker.equals(END)) {
        assertThat(current).as("%s:%d: %s without %s", file, lineNumber, END, BEGIN).isNotNull();
        regions.add(dedent(current));
        current = null;
      } else if (current != null) {
        current.add(line);
      }
    }
    assertThat(current).as("%s: %s without %s", file, BEGIN, END).isNull();
    return regions;
  }

  private static String dedent(List<String> lines) {
    int indent = lines.stream()
        .filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length())
        .min()
        .orElse(0);
    return lines.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing())
        .collect(Collectors.joining("\n"));
  }

  /** From the section's heading to the next level-2 heading. */
  private static List<String> readmeSection() throws IOException {
    List<String> all = lines(README);
    int start = all.indexOf(SECTION);
    assertThat(start).as("'%s' in %s", SECTION, README.toAbsolutePath().normalize())
        .isNotNegative();
    int end = start + 1;
    while (end < all.size() && !all.get(end).startsWith("## ")) {
      end++;
    }
    return all.subList(start, end);
  }

  private static List<String> javaFences(List<String> section) {
    List<String> fences = new ArrayList<>();
    List<String> current = null;
    for (String line : section) {
      if (current == null && line.strip().equals("```java")) {
        current = new ArrayList<>();
      } else if (current != null && line.strip().equals("```")) {
        fences.add(current.stream().map(String::stripTrailing).collect(Collectors.joining("\n")));
        current = null;
      } else if (current != null) {
        current.add(line);
      }
    }
    return fences;
  }

  private static List<String> lines(Path file) throws IOException {
    return List.of(Files.readString(file, UTF_8).replace("\r\n", "\n").split("\n", -1));
  }
}
