package dev.loadstar.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Prints the demo's results as a table and writes them as JSON and as an SVG chart. */
final class DemoReport {
  private static final String[] COLORS = {"#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#76b7b2"};

  private DemoReport() {}

  static void printTable(List<Demo.Result> results, List<String> nodeNames, PrintStream out) {
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-22s", "strategy"));
    for (String n : nodeNames) {
      header.append(String.format(Locale.ROOT, " %8s", n));
    }
    header.append(String.format(Locale.ROOT, " %9s %8s %10s %8s %8s %8s", "failures", "retries",
        "ejections", "p50 ms", "p99 ms", "max ms"));
    out.println(header);
    for (Demo.Result r : results) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-22s", r.strategy()));
      for (String n : nodeNames) {
        row.append(String.format(Locale.ROOT, " %8d", r.callsPerNode().getOrDefault(n, 0)));
      }
      row.append(String.format(Locale.ROOT, " %9d %8d %10d %8.1f %8.1f %8.1f", r.failures(),
          r.retries(), r.ejections(), r.p50Millis(), r.p99Millis(), r.maxMillis()));
      out.println(row);
    }
  }

  static void writeJson(List<Demo.Result> results, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
  }

  /** Grouped bars: requests per node for each strategy, and each strategy's p99 underneath. */
  static void writeSvg(List<Demo.Result> results, List<String> nodeNames, String legend, Path file)
      throws IOException {
    int groupWidth = 30 + nodeNames.size() * 22;
    int width = 80 + results.size() * groupWidth;
    int height = 360;
    int chartTop = 50;
    int chartBottom = 260;
    int max = 1;
    for (Demo.Result r : results) {
      for (int v : r.callsPerNode().values()) {
        max = Math.max(max, v);
      }
    }
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Loadstar demo:"
        + " requests per node (bars) and caller p99 latency, per strategy</text>\n");
    svg.append("<text x=\"10\" y=\"38\">").append(escape(legend)).append("</text>\n");
    for (int g = 0; g < results.size(); g++) {
      Demo.Result r = results.get(g);
      int x0 = 60 + g * groupWidth;
      for (int i = 0; i < nodeNames.size(); i++) {
        int v = r.callsPerNode().getOrDefault(nodeNames.get(i), 0);
        int h = (int) Math.round((chartBottom - chartTop) * (double) v / max);
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"%d\""
            + " fill=\"%s\"><title>%s %s: %d</title></rect>%n", x0 + i * 22, chartBottom - h, h,
            COLORS[i % COLORS.length], r.strategy(), nodeNames.get(i), v));
      }
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0,
          chartBottom + 16, escape(r.strategy())));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">p99 %.1f ms</text>%n", x0,
          chartBottom + 32, r.p99Millis()));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">failures %d</text>%n", x0,
          chartBottom + 48, r.failures()));
    }
    for (int i = 0; i < nodeNames.size(); i++) {
      int x = 60 + i * 90;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\""
          + " fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n", x, height - 28,
          COLORS[i % COLORS.length], x + 14, height - 19, nodeNames.get(i)));
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"50\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"#333\"/>%n", chartBottom, width - 10, chartBottom));
    svg.append("</svg>\n");
    Files.createDirectories(file.getParent());
    Files.writeString(file, svg);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
