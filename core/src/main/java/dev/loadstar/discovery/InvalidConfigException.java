package dev.loadstar.discovery;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A configuration file that cannot be used: unreadable, not valid JSON, or a value out of range.
 * The message says where and what, in the form compilers use:
 * {@code /etc/loadstar.json:7:15: services.orders.nodes[1].port: 0 (expected: 1-65535)}.
 *
 * <p>Immutable.
 */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;
  private final int line;
  private final int column;
  private final @Nullable String field;
  private final String problem;

  InvalidConfigException(
      Path path, int line, int column, @Nullable String field, String problem,
      @Nullable Throwable cause) {
    super(format(path, line, column, field, problem), cause);
    this.path = requireNonNull(path, "path");
    this.line = line;
    this.column = column;
    this.field = field;
    this.problem = requireNonNull(problem, "problem");
  }

  /** The file, as the application named it. */
  public Path path() {
    return path;
  }

  /** 1-based line of the offending value; 0 if unknown (the file could not be read). */
  public int line() {
    return line;
  }

  /** 1-based column of the offending value; 0 if unknown. */
  public int column() {
    return column;
  }

  /** The field's path in the document, such as {@code services.orders.nodes[1].port}. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /** What is wrong with the value, such as {@code 0 (expected: 1-65535)}. */
  public String problem() {
    return problem;
  }

  private static String format(
      Path path, int line, int column, @Nullable String field, String problem) {
    StringBuilder s = new StringBuilder().append(path);
    if (line > 0) {
      s.append(':').append(line);
      if (column > 0) {
        s.append(':').append(column);
      }
    }
    s.append(": ");
    if (field != null && !field.isEmpty()) {
      s.append(field).append(": ");
    }
    return s.append(problem).toString();
  }
}
