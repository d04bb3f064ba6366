package dev.loadstar.okhttp;

import static java.util.Objects.requireNonNull;

import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * Where a request's hash key comes from, for sticky strategies ({@code ring-hash}, {@code maglev}).
 * A request tagged with a {@link dev.loadstar.PickContext} ({@code request.tag(PickContext.class)})
 * uses that context instead.
 *
 * <p>Implementations must be thread-safe and quick: they run once per call.
 */
@FunctionalInterface
public interface HashKeySource {

  /** The key for {@code request}, or null for none (the strategy then picks at random). */
  @Nullable String key(Request request);

  /** No key: hash strategies pick at random. */
  static HashKeySource none() {
    return request -> null;
  }

  /** The value of header {@code name}, such as {@code X-User-Id}. */
  static HashKeySource header(String name) {
    requireNonNull(name, "name");
    return request -> request.header(name);
  }

  /** The value of query parameter {@code name}. */
  static HashKeySource queryParameter(String name) {
    requireNonNull(name, "name");
    return request -> request.url().queryParameter(name);
  }

  /** The value of cookie {@code name} in the request's {@code Cookie} header(s). */
  static HashKeySource cookie(String name) {
    requireNonNull(name, "name");
    return request -> {
      for (String header : request.headers("Cookie")) {
        for (String pair : header.split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
            return pair.substring(eq + 1).trim();
          }
        }
      }
      return null;
    };
  }

  /** The first key that {@code sources} give, in order. */
  static HashKeySource firstOf(HashKeySource... sources) {
    HashKeySource[] copy = sources.clone();
    return request -> {
      for (HashKeySource s : copy) {
        String key = s.key(request);
        if (key != null) {
          return key;
        }
      }
      return null;
    };
  }
}
