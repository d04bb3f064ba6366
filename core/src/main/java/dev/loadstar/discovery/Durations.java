package dev.loadstar.discovery;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Configuration-file durations: {@code 250ms}, {@code 10s}, {@code 5m}, {@code PT10S}. */
final class Durations {
  static final String EXPECTED = "a duration such as 250ms, 10s, 5m, 1h or PT10S";

  /** At most 9 digits, so no unit can overflow a {@link Duration}. */
  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /** @throws IllegalArgumentException with a message of the form {@code '10 s' (expected: ...)} */
  static Duration parse(String text) {
    Matcher m = SHORT.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    }
    if (text.startsWith("P") || text.startsWith("p")) {
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        // fall through to the common message
      }
    }
    throw new IllegalArgumentException("'" + text + "' (expected: " + EXPECTED + ")");
  }
}
