package dev.loadstar.discovery;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A streaming JSON parser that remembers where values start, so that an error found while reading
 * or after (when a builder rejects the whole node) names the line, column and field path.
 * Jackson's {@code readTree} would be shorter but a tree has no locations.
 *
 * <p>Not thread-safe; one per parse.
 */
final class JsonCursor {
  private final Path file;
  private final JsonParser p;
  /** Where each value read so far starts, by field path. */
  private final Map<String, JsonLocation> where = new HashMap<>();

  JsonCursor(Path file, JsonParser p) {
    this.file = file;
    this.p = p;
  }

  /** The next token; null at the end of the document. */
  @Nullable JsonToken next() throws IOException {
    return p.nextToken();
  }

  /** Moves to the next field name of the current object; false at its end. */
  boolean nextField() throws IOException {
    return p.nextToken() == JsonToken.FIELD_NAME;
  }

  /** The current field name. */
  String name() throws IOException {
    return p.currentName();
  }

  /** Where the current token starts. */
  JsonLocation here() {
    return p.currentTokenLocation();
  }

  /** Remembers that {@code field}'s value starts at the current token, for {@link #located}. */
  JsonLocation record(String field) {
    JsonLocation at = here();
    where.put(field, at);
    return at;
  }

  /** Where {@code field}'s value started, or null if it was not recorded. */
  @Nullable JsonLocation recorded(String field) {
    return where.get(field);
  }

  void expect(JsonToken token, String field, String expected) throws IOException {
    if (p.currentToken() != token) {
      throw error(field, here(), describe() + " (expected: " + expected + ")");
    }
  }

  String string(String field) throws IOException {
    expect(JsonToken.VALUE_STRING, field, "a string");
    return p.getText();
  }

  boolean bool(String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null || !t.isBoolean()) {
      throw error(field, here(), describe() + " (expected: true or false)");
    }
    return p.getBooleanValue();
  }

  /** An integer in int range; {@code expected} names the real range, which the caller checks. */
  int integer(String field, String expected) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() != JsonParser.NumberType.INT) {
      throw error(field, here(), describe() + " (expected: an integer, " + expected + ")");
    }
    return p.getIntValue();
  }

  int atLeastOne(String field) throws IOException {
    int n = integer(field, ">= 1");
    if (n < 1) {
      throw error(field, here(), n + " (expected: >= 1)");
    }
    return n;
  }

  double number(String field, String expected) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null || !t.isNumeric()) {
      throw error(field, here(), describe() + " (expected: a number, " + expected + ")");
    }
    return p.getDoubleValue();
  }

  Duration duration(String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw error(field, here(), describe() + " (expected: " + Durations.EXPECTED + ")");
    }
    try {
      return Durations.parse(p.getText());
    } catch (IllegalArgumentException e) {
      throw error(field, here(), String.valueOf(e.getMessage()));
    }
  }

  /** The current value as the file spells it: {@code 'abc'}, {@code -1}, {@code an object}. */
  String describe() throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      return "end of file";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        String s = p.getText();
        return "'" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "'";
      default:
        return p.getText();
    }
  }

  InvalidConfigException error(String field, @Nullable JsonLocation at, String problem) {
    return new InvalidConfigException(file, line(at), column(at), field, problem, null);
  }

  InvalidConfigException unknown(String field, JsonLocation at, String known) {
    return error(field, at, "unknown field (expected one of: " + known + ")");
  }

  /**
   * An error from a builder ({@code "port: 0 (expected: 1-65535)"}) placed at the value it names:
   * the message's leading field, taken relative to {@code at}, or else the closest enclosing value
   * recorded, or else {@code start}.
   */
  InvalidConfigException located(IllegalArgumentException e, String at, JsonLocation start) {
    String message = String.valueOf(e.getMessage());
    int colon = message.indexOf(": ");
    if (colon < 0 || message.substring(0, colon).contains(" ")) {
      return error(at, start, message);
    }
    String field = at + "." + message.substring(0, colon);
    String problem = message.substring(colon + 2);
    for (String f = field; f.startsWith(at + "."); f = f.substring(0, f.lastIndexOf('.'))) {
      JsonLocation loc = where.get(f);
      if (loc != null) {
        return error(field, loc, problem);
      }
    }
    return error(field, start, problem);
  }

  /** {@code "'x' (expected: ...)"} from {@code "strategy: 'x' (expected: ...)"}. */
  static String problem(IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    int colon = message.indexOf(": ");
    return colon < 0 ? message : message.substring(colon + 2);
  }

  /** A syntax error (or a duplicate key), at Jackson's location and in the field being read. */
  static InvalidConfigException syntax(
      Path file, JsonProcessingException e, @Nullable JsonParser p) {
    JsonLocation at = e.getLocation();
    String field = p == null ? null : path(p.getParsingContext());
    return new InvalidConfigException(
        file, line(at), column(at), field, "invalid JSON: " + e.getOriginalMessage(), e);
  }

  private static int line(@Nullable JsonLocation at) {
    return at == null ? 0 : Math.max(0, at.getLineNr());
  }

  private static int column(@Nullable JsonLocation at) {
    return at == null ? 0 : Math.max(0, at.getColumnNr());
  }

  /** {@code services.orders.nodes[1]} from Jackson's parsing context. */
  private static @Nullable String path(@Nullable JsonStreamContext context) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        parts.add(0, "." + c.getCurrentName());
      } else if (c.inArray() && c.getCurrentIndex() >= 0) {
        parts.add(0, "[" + c.getCurrentIndex() + "]");
      }
    }
    String path = String.join("", parts);
    return path.isEmpty() ? null : path.substring(path.startsWith(".") ? 1 : 0);
  }
}
